/**
 * The AWS helper's process (bundled to app/dist/aws-helper.cjs; started by aws-helper.ts, which says
 * why it exists): each call made by a {@link SdkAwsGateway} of its own, served by helper-main.ts.
 */
import { isMfaTrayError } from '../../common/errors';
import { ClockOffset } from '../clock/clock';
import { serveHelper } from '../helper-main';
import { AWS_OPS, errorParts, type AwsOp, type AwsHelperAnswer, type AwsHelperCall, type AwsHelperFailure } from './aws-helper';
import { SdkAwsGateway } from './sdk-aws-gateway';

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
  // The SDK starts loading at once: every call needs it, and the helper is started when a refresh begins.
  () => {
    new SdkAwsGateway().prepare();
    return Promise.resolve(async (op, args): Promise<AwsHelperAnswer> => {
      if (!AWS_OPS.has(op)) throw new Error(`unknown AWS call ${op}`);
      const [call] = args as [AwsHelperCall];
      const clockOffset = new ClockOffset();
      if (call.offsetMs !== undefined) clockOffset.set(call.offsetMs);
      let measuredMs: number | undefined;
      clockOffset.onMeasured((offsetMs) => {
        measuredMs = offsetMs;
      });
      const gateway = new SdkAwsGateway({ ...call.options, clockOffset });
      const methods = gateway as unknown as Record<AwsOp, (...callArgs: unknown[]) => Promise<unknown>>;
      try {
        const value = await methods[op as AwsOp](...call.args);
        return { value, ...(measuredMs === undefined ? {} : { measuredMs }) };
      } catch (error) {
        throw new CallFailed(error, measuredMs);
      }
    });
  },
  (error): AwsHelperFailure | undefined => {
    if (!(error instanceof CallFailed)) return undefined;
    return {
      ...(isMfaTrayError(error.error) ? { error: errorParts(error.error) } : {}),
      ...(error.measuredMs === undefined ? {} : { measuredMs: error.measuredMs }),
    };
  },
);
