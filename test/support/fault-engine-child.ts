/**
 * A child process running a real engine (keytar, files, the SDK against the loopback STS), driven
 * over stdin/stdout with one JSON object per line, for the fault tests (bundled by fault-build.ts):
 *
 *   → {"id":1,"op":"refresh","args":["work",{"code":"123456"}]}
 *   ← {"id":1,"ok":true,"value":{...}}   or   {"id":1,"ok":false,"error":{"code":"...","message":"..."}}
 *
 * `op` is any method of Engine. Calls run concurrently, as the tray app's would. argv[2] is the
 * engine's configuration as JSON: { env, configDir, keychainPrefix, stsEndpoint, stsTimeoutMs,
 * keychainTimeoutMs }.
 */
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isMfaTrayError } from '../../main/common/errors';
import { Engine } from '../../main/engine/engine';
import { KeytarSecretStore } from '../../main/engine/keychain/keytar-secret-store';

interface Config {
  readonly env: Record<string, string>;
  readonly configDir: string;
  readonly keychainPrefix: string;
  readonly stsEndpoint?: string;
  readonly stsTimeoutMs?: number;
  readonly keychainTimeoutMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const engine = new Engine({
  env: config.env,
  configDir: config.configDir,
  secretStore: new KeytarSecretStore(config.keychainPrefix, config.keychainTimeoutMs ? { timeoutMs: config.keychainTimeoutMs } : {}),
  ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
  ...(config.stsTimeoutMs ? { stsTimeoutMs: config.stsTimeoutMs } : {}),
});

function reply(message: unknown): void {
  writeSync(1, `${JSON.stringify(message)}\n`);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, op, args } = JSON.parse(line) as { id: number; op: string; args: unknown[] };
  if (op === 'exit') {
    engine.stop();
    reply({ id, ok: true, value: null });
    process.exit(0);
  }
  const method = (engine as unknown as Record<string, (...a: unknown[]) => unknown>)[op];
  if (typeof method !== 'function') {
    reply({ id, ok: false, error: { code: 'unknown-op', message: op } });
    return;
  }
  Promise.resolve()
    .then(() => method.apply(engine, args))
    .then(
      (value) => reply({ id, ok: true, value: value ?? null }),
      (error: unknown) =>
        reply({ id, ok: false, error: isMfaTrayError(error) ? { code: error.code, message: error.message } : { code: 'unexpected', message: String(error) } }),
    );
});
reply({ id: 0, ok: true, value: 'ready' });
