/**
 * The engine's public entry: everything the command (main/cli/), the bridge (main/bridge/) and the
 * Electron layer (main/electron/) may use of the engine. Lint keeps them to this file (and to
 * fast-path.ts, the light entry of `credential-process`); the rooms behind it (aws/, clock/,
 * codes/, files/, keychain/, sessions/) are the engine's own.
 */
export {
  AWS_MFA_LONG_TERM_SUFFIX,
  ROLE_CHAIN_MAX_SECONDS,
  Engine,
  createEngine,
  type AddProfileInput,
  type AddProfileOptions,
  type EngineNotice,
  type EngineOptions,
  type ImportPlan,
  type ImportProfileOptions,
  type ProfileStatus,
  type RefreshManyOptions,
  type RefreshOutcome,
  type RemovalImpact,
  type RemovalOutcome,
  type RoleStatus,
  type Sourced,
  type StatusReport,
} from './engine';
export { describeOffset, systemClock, type Clock, type TimerHandle } from './clock/clock';
export { EXPORT_FORMATS, formatExports, isExportFormat, isoExpiration, type ExportFormat } from './sessions/exports';
export type { CodeInput, RefreshStage } from './sessions/session-service';
export type { AskForCode, BackedOff, CodeSource, KeeperNotice, RefreshInput, RefreshPlan, ShownPlan, UnknownPlan } from './sessions/keeper';
export { servedWhileBackedOff } from './sessions/keeper';
export type { StepWaitListener } from './codes/totp';
export { PRODUCT_NAME } from './files/paths';
export { longRunning } from './long-running';
export type { HelperMessage, StartHelper } from './helper-process';
export { runLean } from './lean-process';
export { makeFolders } from './files/make-folders';
export { fileError } from './files/file-errors';
export type { RoleProfileConfig } from './files/aws-config';
export type { ListingOptions } from './keychain/profile-secrets';
export { pickMfaDevice, type ChooseMfaDevice, type MfaDevice } from './aws/mfa-devices';
export type { EnrolmentSecret } from './aws/enrolment';
export type { Check, Verdict } from './doctor';
