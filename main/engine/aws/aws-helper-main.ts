/**
 * The AWS helper's process (bundled to app/dist/aws-helper.cjs; started by aws-helper.ts, which says
 * why it exists): each call made by a {@link SdkAwsGateway} of its own, served by helper-main.ts.
 */
import { isMfaTrayError } from '../../common/errors';
import { ClockOffset } from '../clock/clock';
import { serveHelper } from '../helper-main';
import { errorParts, isAwsOp, type AwsOp, type AwsHelperAnswer, type AwsHelperCall, type AwsHelperFailure } from './aws-helper';
import { SdkAwsGateway, preloadSdk } from './sdk-aws-gateway';

/** A call's failure, with the clock offset its answer measured. */
class CallFailed extends Error {
  constructor(
    readonly error: unknown,
    readonly measuredMs: number | undefined,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

serveHelper(
  // Ready once the SDK is loaded: the helper is started when a refresh begins, so that this happens
  // while the keychain and the files answer, not between making a code and sending it.
  async () => {
    await preloadSdk();
    return async (op, args, signal): Promise<AwsHelperAnswer> => {
      if (!isAwsOp(op)) throw new Error(`unknown AWS call ${op}`);
      const [call] = args as [AwsHelperCall];
      const clockOffset = new ClockOffset();
      if (call.offsetMs !== undefined) clockOffset.set(call.offsetMs);
      let measuredMs: number | undefined;
      clockOffset.onMeasured((offsetMs) => {
        measuredMs = offsetMs;
      });
      const gateway = new SdkAwsGateway({ ...call.options, clockOffset });
      const methods = gateway as unknown as Record<AwsOp, (...callArgs: unknown[]) => Promise<unknown>>;
      // The one call that its caller may give up on (StsGateway.getCallerIdentity).
      const callArgs = op === 'getCallerIdentity' ? [call.args[0], call.args[1], signal] : call.args;
      try {
        const value = await methods[op](...callArgs);
        return { value, ...(measuredMs === undefined ? {} : { measuredMs }) };
      } catch (error) {
        throw new CallFailed(error, measuredMs);
      }
    };
  },
  (error): AwsHelperFailure | undefined => {
    if (!(error instanceof CallFailed)) return undefined;
    return {
      ...(isMfaTrayError(error.error) ? { error: errorParts(error.error) } : {}),
      ...(error.measuredMs === undefined ? {} : { measuredMs: error.measuredMs }),
    };
  },
);
