/**
 * What a process that runs for days (`mfa-tray watch`, the tray app) gives its engine: the keychain
 * and the AWS calls, each made in a helper process that ends once idle (helper-process.ts) where
 * that keeps the process small and flat:
 * - keytar in keychain/keychain-helper.ts: where the keychain is the Secret Service (Linux, the
 *   BSDs), every keychain read keeps native memory for the life of the process that made it;
 * - the AWS SDK in aws/aws-helper.ts: once loaded it is kept, ~3.5 MB of RSS between refreshes.
 *
 * Only where the keychain is the Secret Service. On macOS and Windows reads keep nothing, and a
 * helper of the tray app there would be the whole Electron binary started as a utility process, a
 * way of running that these platforms' builds have not been tried with; there both stay in the
 * process, as they do without `distDir` (the engine run from its sources, with no helper bundles).
 */
import { join } from 'node:path';
import { AWS_HELPER_FILE, HelperAwsGateway } from './aws/aws-helper';
import type { EngineOptions } from './engine';
import type { StartHelper } from './helper-process';
import { HELPER_FILE, keychainHelper } from './keychain/keychain-helper';
import { DEFAULT_SERVICE_PREFIX, KeytarSecretStore, usesSecretService } from './keychain/keytar-secret-store';

/** The engine options of a long-running process whose bundles (and the helpers') are in `distDir`. */
export function longRunning(
  distDir: string | undefined,
  {
    prefix = DEFAULT_SERVICE_PREFIX,
    platform = process.platform,
    start,
  }: { readonly prefix?: string; readonly platform?: NodeJS.Platform; readonly start?: StartHelper } = {},
): Pick<EngineOptions, 'secretStore' | 'aws'> {
  if (distDir === undefined || !usesSecretService(platform)) return { secretStore: new KeytarSecretStore(prefix, { platform }) };
  const options = start ? { start } : {};
  return {
    secretStore: new KeytarSecretStore(prefix, { platform, loadBackend: keychainHelper(join(distDir, HELPER_FILE), options).load }),
    aws: (gatewayOptions) => new HelperAwsGateway(join(distDir, AWS_HELPER_FILE), gatewayOptions, options),
  };
}
