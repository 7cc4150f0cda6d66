/**
 * TOTP: reading secrets and URIs, RFC 6238 codes, and the generator's rules (AWS time, never a used
 * step, never a step about to end), driven by a fake clock over a real used-codes file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMfaTrayError } from '../../main/common/errors';
import { ClockOffset } from '../../main/engine/clock/clock';
import { TotpGenerator, parseTotpSecret, totpCode, totpStep } from '../../main/engine/codes/totp';
import { UsedCodes } from '../../main/engine/codes/used-codes';
import { FakeClock } from '../support/fake-clock';

/** RFC 6238's SHA-1 seed, "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
/** A secret of AWS's shape: 40 bytes, 64 base32 characters. */
const AWS_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const DEVICE = 'arn:aws:iam::123456789012:mfa/alice';
const STEP_MS = 30_000;

function refusedWith(pattern: RegExp, secretPart = 'GEZDGNBV') {
  return (error: unknown): boolean => {
    assert.ok(isMfaTrayError(error, 'invalid-totp-secret'), `expected invalid-totp-secret, got ${String(error)}`);
    assert.equal(error.field, 'totpSecret');
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(secretPart), 'the message must not contain the secret');
    assert.equal(error.cause, undefined);
    return true;
  };
}

describe('totpCode', () => {
  // RFC 6238 appendix B, SHA-1, with the 8-digit values cut to AWS's 6 digits (the last 6).
  const vectors: [number, string][] = [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ];
  for (const [seconds, expected] of vectors) {
    it(`gives the RFC 6238 SHA-1 code at T=${seconds}`, async () => {
      assert.equal(await totpCode(RFC_SECRET, totpStep(seconds * 1000)), expected);
    });
  }

  it('puts an instant in its 30-second step', () => {
    assert.deepEqual([totpStep(0), totpStep(29_999), totpStep(30_000)], [0, 0, 1]);
  });
});

describe('parseTotpSecret accepts', () => {
  it('a base32 secret as AWS shows it', () => {
    assert.equal(parseTotpSecret(AWS_SECRET), AWS_SECRET);
  });

  it('lower case, spaces and dashes, as people copy it', () => {
    assert.equal(parseTotpSecret(' gezd gnbv-gy3t qojq\ngezd-gnbv gy3t qojq '), RFC_SECRET);
  });

  it('trailing = padding', () => {
    assert.equal(parseTotpSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY======'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY');
  });

  it('the shortest allowed secret, 10 bytes', () => {
    assert.equal(parseTotpSecret('JBSWY3DPEHPK3PXP'), 'JBSWY3DPEHPK3PXP');
  });

  it('an otpauth://totp/ URI, returning its secret', () => {
    assert.equal(parseTotpSecret(`otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=${AWS_SECRET}&issuer=Amazon%20Web%20Services`), AWS_SECRET);
  });

  it('an otpauth URI that states SHA1, 6 digits and 30 s explicitly', () => {
    assert.equal(parseTotpSecret(`otpauth://totp/AWS:alice?secret=${RFC_SECRET}&algorithm=SHA1&digits=6&period=30`), RFC_SECRET);
  });

  it('an otpauth URI in upper case with a lower-case, spaced secret', () => {
    assert.equal(parseTotpSecret('OTPAUTH://TOTP/AWS:alice?secret=gezd%20gnbv%20gy3t%20qojq%20gezd%20gnbv%20gy3t%20qojq'), RFC_SECRET);
  });
});

describe('parseTotpSecret refuses', () => {
  it('an HOTP URI, saying AWS uses time-based codes', () => {
    assert.throws(
      () => parseTotpSecret(`otpauth://hotp/AWS:alice?secret=${RFC_SECRET}&counter=0`),
      refusedWith(/counter-based \(HOTP\).*SHA-1, 6 digits and 30-second steps \(TOTP\)/),
    );
  });

  it('another algorithm, naming it and what AWS uses', () => {
    assert.throws(
      () => parseTotpSecret(`otpauth://totp/AWS:alice?secret=${RFC_SECRET}&algorithm=SHA256`),
      refusedWith(/SHA256 algorithm; AWS virtual MFA devices use SHA-1/),
    );
  });

  it('8-digit codes', () => {
    assert.throws(
      () => parseTotpSecret(`otpauth://totp/AWS:alice?secret=${RFC_SECRET}&digits=8`),
      refusedWith(/8-digit codes; AWS virtual MFA devices use SHA-1, 6 digits/),
    );
  });

  it('a 60-second period', () => {
    assert.throws(
      () => parseTotpSecret(`otpauth://totp/AWS:alice?secret=${RFC_SECRET}&period=60`),
      refusedWith(/60-second steps; AWS virtual MFA devices use .*30-second steps/),
    );
  });

  it('a URI without a secret', () => {
    assert.throws(() => parseTotpSecret('otpauth://totp/AWS:alice?issuer=AWS'), refusedWith(/no secret= parameter/));
  });

  it('an authenticator-app export', () => {
    assert.throws(() => parseTotpSecret('otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8'), refusedWith(/otpauth-migration/));
  });

  it('an empty secret', () => {
    assert.throws(() => parseTotpSecret('  - '), refusedWith(/empty/));
  });

  it('characters that are not base32, saying which are allowed', () => {
    assert.throws(() => parseTotpSecret('GEZDGNBV0Y3TQOJQ1EZDGNBV'), refusedWith(/only the letters A-Z and the digits 2-7/));
  });

  it('a secret shorter than 10 bytes, saying the minimum', () => {
    assert.throws(() => parseTotpSecret('GEZDGNBVGY3TQOJ'), refusedWith(/at least 10 bytes \(16 base32 characters\)/));
  });

  it('a length no whole number of bytes can have (a character missing)', () => {
    assert.throws(() => parseTotpSecret('GEZDGNBVGY3TQOJQG'), refusedWith(/a character is missing or extra/));
  });
});

describe('TotpGenerator', () => {
  let dir: string;
  let fileNumber = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfa-tray-totp-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A generator on a fake clock whose wall time is `msIntoStep` into a step, with a fresh used-codes file. */
  function setup(msIntoStep = 10_000, offsetMs = 0) {
    const clock = new FakeClock();
    clock.jump(msIntoStep - (clock.now() % STEP_MS));
    const offset = new ClockOffset();
    offset.set(offsetMs);
    fileNumber += 1;
    const usedCodes = new UsedCodes(join(dir, `${fileNumber}`, 'used-codes.json'), { clock });
    const generator = new TotpGenerator({ clock, offset, usedCodes });
    return { clock, offset, usedCodes, generator, step: totpStep(clock.now() + offsetMs) };
  }

  /** Waits (in real time: the record is a real file) until the generator has set a timer. */
  async function untilWaiting(clock: FakeClock): Promise<void> {
    for (let i = 0; i < 2000 && clock.pending === 0; i += 1) await new Promise((r) => setTimeout(r, 2));
    assert.equal(clock.pending, 1, 'the generator should be waiting on the clock');
  }

  it('gives the code of the current step and records the step as used', async () => {
    const { generator, usedCodes, step } = setup();

    const result = await generator.nextCode(DEVICE, AWS_SECRET);

    assert.deepEqual(result, { code: await totpCode(AWS_SECRET, step), step, validUntil: (step + 1) * STEP_MS });
    assert.equal(await usedCodes.lastStep(DEVICE), step);
  });

  it('waits for the next step when fewer than 3 s are left in this one', async () => {
    const { clock, generator, step } = setup(STEP_MS - 2_000);
    let settled = false;
    const pending = generator.nextCode(DEVICE, AWS_SECRET).finally(() => {
      settled = true;
    });

    await untilWaiting(clock);
    clock.advance(1_999);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false);
    clock.advance(1);

    assert.equal((await pending).step, step + 1);
  });

  it('does not wait when exactly 3 s are left', async () => {
    const { generator, step } = setup(STEP_MS - 3_000);

    assert.equal((await generator.nextCode(DEVICE, AWS_SECRET)).step, step);
  });

  it('waits for the next step when this step was already used for the device', async () => {
    const { clock, generator, step } = setup(5_000);
    const first = await generator.nextCode(DEVICE, AWS_SECRET);

    const second = generator.nextCode(DEVICE, AWS_SECRET);
    await untilWaiting(clock);
    clock.advance(STEP_MS - 5_000);

    const result = await second;
    assert.equal(first.step, step);
    assert.equal(result.step, step + 1);
    assert.notEqual(result.code, first.code);
  });

  it('waits for the next step when another instance (the command) used this one', async () => {
    const { clock, offset, usedCodes, generator, step } = setup(5_000);
    const command = new TotpGenerator({ clock, offset, usedCodes: new UsedCodes(usedCodes.path, { clock }) });
    await command.nextCode(DEVICE, AWS_SECRET);

    const pending = generator.nextCode(DEVICE, AWS_SECRET);
    await untilWaiting(clock);
    clock.advance(STEP_MS - 5_000);

    assert.equal((await pending).step, step + 1);
  });

  it("does not let one device's used step delay another device", async () => {
    const { generator, step } = setup();
    await generator.nextCode(DEVICE, AWS_SECRET);

    assert.equal((await generator.nextCode('arn:aws:iam::123456789012:mfa/bob', AWS_SECRET)).step, step);
  });

  it("waits for the next step when the user just typed this step's code", async () => {
    const { clock, generator, step } = setup(5_000);
    await generator.claimTyped(DEVICE, await totpCode(AWS_SECRET, step));

    const pending = generator.nextCode(DEVICE, AWS_SECRET);
    await untilWaiting(clock);
    clock.advance(STEP_MS - 5_000);

    assert.equal((await pending).step, step + 1);
  });

  it('refuses a typed code that was just generated for the device', async () => {
    const { generator } = setup();
    const { code } = await generator.nextCode(DEVICE, AWS_SECRET);

    await assert.rejects(generator.claimTyped(DEVICE, code), (error) => isMfaTrayError(error, 'code-reused'));
  });

  for (const skew of [90_000, -90_000]) {
    it(`uses AWS's time: an offset of ${skew / 1000} s moves the step by ${skew / STEP_MS}`, async () => {
      const local = setup(10_000, 0).step;
      const { generator } = setup(10_000, skew);

      const result = await generator.nextCode(DEVICE, AWS_SECRET);

      assert.equal(result.step, local + skew / STEP_MS);
      assert.equal(result.code, await totpCode(AWS_SECRET, local + skew / STEP_MS));
    });
  }

  it('gives up with code-reused instead of waiting long when a step far ahead is recorded', async () => {
    const { generator, usedCodes, step } = setup();
    await usedCodes.claimStep(DEVICE, step + 5);

    await assert.rejects(
      generator.nextCode(DEVICE, AWS_SECRET),
      (error) => isMfaTrayError(error, 'code-reused') && error.retryable && /s away/.test(error.message),
    );
  });

  it('stops waiting when aborted', async () => {
    const { clock, generator } = setup(STEP_MS - 1_000);
    const controller = new AbortController();
    const pending = generator.nextCode(DEVICE, AWS_SECRET, { signal: controller.signal });

    await untilWaiting(clock);
    controller.abort(new Error('cancelled'));

    await assert.rejects(pending, /cancelled/);
    assert.equal(clock.pending, 0);
  });

  it('refuses an unusable secret before recording anything', async () => {
    const { generator, usedCodes } = setup();

    await assert.rejects(generator.nextCode(DEVICE, 'not base32!'), (error) => isMfaTrayError(error, 'invalid-totp-secret'));
    assert.equal(await usedCodes.lastStep(DEVICE), undefined);
  });
});
