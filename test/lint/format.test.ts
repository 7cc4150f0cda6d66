/**
 * `npm test` checks the formatting of the whole tree with Prettier and the repository's settings
 * (.prettierrc.json, .prettierignore) before the tests run; these tests prove that check bites.
 */
import assert from 'node:assert/strict';
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
});
