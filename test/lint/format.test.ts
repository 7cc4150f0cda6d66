/**
 * `npm test` checks the formatting with Prettier and the repository's settings (.prettierrc.json,
 * .prettierignore); these tests prove that check bites, and that the whole tree passes it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as prettier from 'prettier';

const root = process.cwd();

async function isFormatted(filepath: string, source: string): Promise<boolean> {
  const options = await prettier.resolveConfig(join(root, filepath));
  return prettier.check(source, { ...options, filepath });
}

describe('formatting', () => {
  it('refuses an unformatted file and accepts the same code formatted', async () => {
    const messy = 'export const  answer = ( a:number )=>{ return a+1 }\n';
    assert.equal(await isFormatted('main/engine/example.ts', messy), false);
    assert.equal(
      await isFormatted(
        'main/engine/example.ts',
        await prettier.format(messy, { ...(await prettier.resolveConfig(join(root, 'main/engine/example.ts'))), filepath: 'main/engine/example.ts' }),
      ),
      true,
    );
  });

  it('uses the repository settings: single quotes, trailing commas, 160 columns', async () => {
    assert.equal(await isFormatted('main/engine/example.ts', 'export const a = "x";\n'), false);
    assert.equal(await isFormatted('main/engine/example.ts', "export const a = 'x';\n"), true);
  });

  it('the tree is formatted (as npm test checks it)', () => {
    const result = spawnSync(join(root, 'node_modules', '.bin', 'prettier'), ['--check', '--log-level', 'warn', '.'], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, `unformatted files (run npm run format):\n${result.stderr}${result.stdout}`);
  });
});
