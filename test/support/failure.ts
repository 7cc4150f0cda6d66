/** Awaits a promise that must fail with an MfaTrayError, and returns that error. */
import assert from 'node:assert/strict';
import { isMfaTrayError, type MfaTrayError } from '../../main/common/errors';

export async function failure(promise: Promise<unknown>): Promise<MfaTrayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isMfaTrayError(error), `an MfaTrayError, not ${String(error)}`);
    return error;
  }
  return assert.fail('it did not fail');
}
