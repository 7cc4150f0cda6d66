/**
 * The shape of `mfa-tray status --json`: a stable contract for scripts, prompts and status bars.
 *
 * ```jsonc
 * {
 *   "version": 1,                          // bumped only for an incompatible change; fields, and values of a field that lists them, may be added
 *   "now": "2026-05-01T06:00:00.000Z",     // when the status was taken (RFC 3339, UTC)
 *   "profiles": [                          // in the order they were added
 *     {
 *       "name": "work",
 *       "targetSection": "work",           // credentials-file section the sessions go to
 *       "mfaSerial": "arn:aws:iam::123456789012:mfa/alice",
 *       "region": "us-east-1",
 *       "durationSeconds": 43200,
 *       "autoRefresh": true,               // refreshes unattended (with a TOTP secret)
 *       "totp": true,                      // a TOTP secret is registered (null: the keychain cannot be read; the run exits 5)
 *       "codeSource": "totp",              // where codes come from: "totp" | "command" (mfa_process) | "yubikey" | "person" | "unknown"
 *                                          // ("unknown": the keychain or the AWS config file cannot be read; the run exits 5 or 6)
 *       "selfRefreshing": true,            // refreshed unattended before expiry (a code source and auto-refresh on)
 *       "state": "valid",                  // "none" | "valid" | "expiring" | "expired" | "refreshing" | "failed"
 *       "expiresAt": "2026-05-01T18:00:00.000Z",  // null when there is no session
 *       "secondsLeft": 43200,              // whole seconds, 0 once expired, null when there is no session
 *       "failure": null,                   // { "code": "<error code>", "message": "..." } when state is "failed"
 *       "backoff": null                    // while credential-process and exec serve the session without trying again, since
 *                                          // its last refresh could not reach AWS: { "failedAt", "until", "code", "message" }
 *     }
 *   ],
 *   "roles": [                             // role profiles of ~/.aws/config whose source_profile is one of the profiles
 *     { "name": "admin", "sourceProfile": "work", "roleArn": "arn:aws:iam::111111111111:role/admin",
 *       "state": "valid", "expiresAt": "2026-05-01T07:00:00.000Z", "secondsLeft": 3600, "backoff": null }
 *   ],
 *   "clock": {                             // null until any MFA Tray process has talked to STS
 *     "offsetSeconds": -90,                // AWS's clock minus this computer's: -90 = this clock is 90 s ahead
 *     "measuredAt": "2026-05-01T05:58:00.000Z"
 *   }
 * }
 * ```
 *
 * Every field is always present (null rather than absent), so that `jq '.profiles[].expiresAt'`
 * never needs a guard. Nothing secret is in it.
 */
import { servedWhileBackedOff, type BackedOff, type ProfileStatus, type RoleProfileConfig } from '../engine';
import type { SessionState } from '../common/model';
import { expiryOf } from '../common/session-state';
import { stateName } from './format';

export const STATUS_JSON_VERSION = 1;

export interface StatusJsonProfile {
  readonly name: string;
  readonly targetSection: string;
  readonly mfaSerial: string;
  readonly region: string;
  readonly durationSeconds: number;
  readonly autoRefresh: boolean;
  readonly totp: boolean | null;
  readonly codeSource: 'totp' | 'command' | 'yubikey' | 'person' | 'unknown';
  readonly selfRefreshing: boolean;
  readonly state: 'none' | 'valid' | 'expiring' | 'expired' | 'refreshing' | 'failed';
  readonly expiresAt: string | null;
  readonly secondsLeft: number | null;
  readonly failure: { readonly code: string; readonly message: string } | null;
  readonly backoff: StatusJsonBackoff | null;
}

/** A session served as it is while its last refresh could not reach AWS (see {@link shownBackoff}). */
export interface StatusJsonBackoff {
  readonly failedAt: string;
  readonly until: string;
  readonly code: string;
  readonly message: string;
}

export interface StatusJsonRole {
  readonly name: string;
  readonly sourceProfile: string;
  readonly roleArn: string;
  readonly state: StatusJsonProfile['state'];
  readonly expiresAt: string | null;
  readonly secondsLeft: number | null;
  readonly backoff: StatusJsonBackoff | null;
}

export interface StatusJson {
  readonly version: typeof STATUS_JSON_VERSION;
  readonly now: string;
  readonly profiles: readonly StatusJsonProfile[];
  readonly roles: readonly StatusJsonRole[];
  readonly clock: { readonly offsetSeconds: number; readonly measuredAt: string } | null;
}

/**
 * A profile's backoff while it matters: its last refresh could not reach AWS, and its valid session
 * is served as it is meanwhile (the keeper's rule, servedWhileBackedOff).
 */
export function shownBackoff(state: SessionState, backedOff: BackedOff | undefined, now: number): BackedOff | undefined {
  return servedWhileBackedOff(backedOff, state.kind === 'valid' || state.kind === 'expiring' ? state.expiresAt : undefined, now);
}

function backoffJson(state: SessionState, backedOff: BackedOff | undefined, now: number): StatusJsonBackoff | null {
  const served = shownBackoff(state, backedOff, now);
  return served
    ? { failedAt: new Date(served.at).toISOString(), until: new Date(served.until).toISOString(), code: served.code, message: served.reason }
    : null;
}

/** The `status --json` document for the engine's statuses at `now`, and the last measured clock offset. */
export function toStatusJson(
  statuses: readonly ProfileStatus[],
  now: number,
  clock?: { readonly offsetMs: number; readonly measuredAt: number },
  roles: readonly { readonly role: RoleProfileConfig; readonly state: SessionState }[] = [],
  backedOff: ReadonlyMap<string, BackedOff> = new Map(),
): StatusJson {
  return {
    version: STATUS_JSON_VERSION,
    now: new Date(now).toISOString(),
    profiles: statuses.map(({ profile, state, hasTotpSecret, plan }) => {
      const expiresAt = expiryOf(state);
      return {
        name: profile.name,
        targetSection: profile.targetSection,
        mfaSerial: profile.mfaSerial,
        region: profile.region,
        durationSeconds: profile.durationSeconds,
        autoRefresh: profile.autoRefresh,
        totp: hasTotpSecret ?? null,
        codeSource: plan.source,
        selfRefreshing: plan.selfRefreshing,
        state: stateName(state),
        expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
        secondsLeft: expiresAt === undefined ? null : Math.max(0, Math.floor((expiresAt - now) / 1000)),
        failure: state.kind === 'failed' ? { code: state.code, message: state.reason } : null,
        backoff: backoffJson(state, backedOff.get(profile.name), now),
      };
    }),
    roles: roles.map(({ role, state }) => {
      const expiresAt = expiryOf(state);
      return {
        name: role.name,
        sourceProfile: role.sourceProfile,
        roleArn: role.roleArn,
        state: stateName(state),
        expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
        secondsLeft: expiresAt === undefined ? null : Math.max(0, Math.floor((expiresAt - now) / 1000)),
        backoff: backoffJson(state, backedOff.get(role.name), now),
      };
    }),
    clock: clock === undefined ? null : { offsetSeconds: Math.round(clock.offsetMs / 1000), measuredAt: new Date(clock.measuredAt).toISOString() },
  };
}
