/**
 * The AWS helper's process (bundled to app/dist/aws-helper.cjs; started by aws-helper.ts, which says
 * why it exists): each call made by a {@link SdkAwsGateway} of its own, served by helper-main.ts.
 */
import { isMfaTrayError } from '../../common/errors';
import { ClockOffset } from '../clock/clock';
import { serveHelper } from '../helper-main';
import { errorParts, isAwsOp, type AwsOp, type AwsHelperAnswer, type AwsHelperCall } from './aws-helper';
import { SdkAwsGateway, preloadSdk } from './sdk-aws-gateway';

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
      const measured = (): { measuredMs?: number } => (measuredMs === undefined ? {} : { measuredMs });
      try {
        return { value: await methods[op](...callArgs), ...measured() };
      } catch (error) {
        // The gateway's own errors are answers; anything else fails the call (helper-main.ts).
        if (!isMfaTrayError(error)) throw error;
        return { error: errorParts(error), ...measured() };
      }
    };
  },
);
