/**
 * How the two readers that matter see a credentials file: the JS SDK (@smithy/shared-ini-file-loader,
 * what every AWS SDK for JavaScript uses) and botocore (Python's RawConfigParser, what the AWS CLI
 * uses). Both are run for real; the fault tests check that no crash leaves a file either one fails
 * to read.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

export type Profiles = Record<string, Record<string, string | undefined>>;

/** The credentials file as the JS SDK reads it. */
export async function sdkProfiles(path: string): Promise<Profiles> {
  const { credentialsFile } = await loadSharedConfigFiles({ filepath: path, configFilepath: join(path, '..', 'no-such-config'), ignoreCache: true });
  return credentialsFile;
}

/**
 * Several files as botocore reads them, in one python3 run: for each path, its sections and values,
 * or the parser's error (botocore would refuse the whole file).
 */
export function botocoreProfiles(paths: readonly string[]): Array<{ readonly profiles?: Profiles; readonly error?: string }> {
  const script = [
    'import configparser, json, sys',
    'out = []',
    'for path in json.loads(sys.stdin.read()):',
    '    cp = configparser.RawConfigParser()',
    '    try:',
    "        cp.read([path], encoding='latin-1')",
    '        out.append({"profiles": {s: dict(cp.items(s)) for s in cp.sections()}})',
    '    except Exception as e:',
    '        out.append({"error": type(e).__name__ + ": " + str(e)[:200]})',
    'print(json.dumps(out))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script], { input: JSON.stringify(paths), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 configparser failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Array<{ profiles?: Profiles; error?: string }>;
}
