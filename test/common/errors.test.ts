/**
 * adoptError: an MfaTrayError made by another copy of errors.ts (the command's CommonJS fast path
 * is a bundle of its own, see main/cli/fast-entry.ts) becomes one of this copy, codes and remedies
 * kept; anything else passes through as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adoptError, isMfaTrayError, MfaTrayError } from '../../main/common/errors';
import type * as Errors from '../../main/common/errors';

/** A second instance of errors.ts, as a second bundle has: its classes are not this copy's. */
async function otherCopy(): Promise<typeof Errors> {
  return (await import(`${new URL('../../main/common/errors.ts', import.meta.url).href}?another-copy`)) as typeof Errors;
}

describe('adoptError', () => {
  it("makes another copy's MfaTrayError one of this copy, with its code, message, remedy and stack", async () => {
    const other = await otherCopy();
    const foreign = new other.MfaTrayError('keychain-locked', 'Cannot read the cached session of profile "work": the keychain is locked.', {
      retryable: true,
      remedy: { action: 'refresh', profile: 'work' },
    });
    assert.equal(foreign instanceof MfaTrayError, false, 'the test needs a real second copy');

    const adopted = adoptError(foreign);
    assert.ok(isMfaTrayError(adopted, 'keychain-locked'));
    assert.equal(adopted.message, foreign.message);
    assert.equal(adopted.retryable, true);
    assert.deepEqual(adopted.remedies, [{ action: 'refresh', profile: 'work' }]);
    assert.equal(adopted.stack, foreign.stack);
  });

  it("leaves this copy's errors, other errors and non-errors as they are", () => {
    const own = new MfaTrayError('not-found', 'There is no profile named "x".');
    const plain = new TypeError('a bug');
    assert.equal(adoptError(own), own);
    assert.equal(adoptError(plain), plain);
    assert.equal(adoptError('text'), 'text');
    assert.equal(adoptError(undefined), undefined);
  });
});
