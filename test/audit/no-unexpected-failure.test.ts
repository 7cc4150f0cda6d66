/**
 * No input a user can give reaches the "unexpected failure" path (exit 1, "Please report it"):
 * property tests that run the real command against generated hostile credentials and config files,
 * environments and command lines. Whatever they get, the command answers with a known failure (an
 * exit status other than 1, one line on stderr, no stack trace) or succeeds, and never dies of a
 * signal.
 *
 * Seen on landed main: a duplicated `[dev]` section during `refresh` printed "unexpected failure …
 * Please report it" and exited 1, although `import` handles the same file with exit 6.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { createCliSandbox, ensureCliBuilt, type CliResult, type CliSandbox } from '../support/cli';
import { useStsServer, type StsUser } from '../support/sts-server';
import { credentialsFile } from '../fixtures/credentials/arbitrary-credentials';

let sandbox: CliSandbox;
let user: StsUser;
// Node 20 starts a file's top-level before() hooks without waiting for earlier ones: set up in the server's own hook.
const loopback = useStsServer(async (sts) => {
  await ensureCliBuilt();
  user = sts.registerUser();
  sandbox = createCliSandbox(sts, 'hostile');
  await sandbox.addProfile('dev', user);
});
after(() => sandbox?.cleanup());

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, 'latin1');
}

/** A known failure or a success: never exit 1, never a signal, never a stack trace, one line when it fails. */
function assertKnownOutcome(result: CliResult, what: string): void {
  const context = `${what}\nexit ${result.status ?? result.signal}\nstderr: ${result.stderr}`;
  assert.equal(result.signal, null, context);
  assert.notEqual(result.status, 1, context);
  assert.doesNotMatch(result.stderr, /unexpected failure|Please report it/, context);
  assert.doesNotMatch(result.stderr, /\n\s+at /, `a stack trace: ${context}`);
  if (result.status !== 0) {
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '' && !/^(Waiting|Wait)/.test(l));
    assert.ok(lines.length >= 1, `a failure says why: ${context}`);
  }
}

/** Config-file lines as people and tools write them, and as they break them. */
const configLine = fc.oneof(
  fc.constantFrom('[profile dev]', '[profile prod]', '[default]', '[dev]', '[profile dev', 'profile dev]', '[ profile  dev ]', '[profile dev] ; comment'),
  fc
    .constantFrom('mfa_serial', 'aws_mfa_device', 'region', 'duration_seconds', 'role_arn', 'source_profile', 'credential_process', 'output', 's3')
    .chain((key) =>
      fc
        .oneof(
          fc.constantFrom(
            'arn:aws:iam::123456789012:mfa/alice',
            'GAHT12345678',
            'us-east-1',
            'eu-west-1',
            '3600',
            '900',
            '129600',
            '0',
            '-5',
            '1e9',
            'abc',
            '',
            ' ',
          ),
          fc.string({ maxLength: 40 }),
        )
        .map((value) => `${key} = ${value}`),
    ),
  fc.constantFrom('  max_concurrent_requests = 10', '# comment', '; comment', '', 'no equals sign', '=', 'key=', '\u00ff\u00fe'),
  fc.string({ maxLength: 30 }),
);
const configFile = fc.tuple(fc.array(configLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n')).map(([lines, eol]) => lines.join(eol));

/** The commands a user runs against those files. No typed code can be asked for: stdin is a pipe. */
const fileCommand = fc.constantFrom(
  ['refresh', 'dev'],
  ['refresh', 'dev', '--code', '123456'],
  ['refresh', '--all'],
  ['status'],
  ['status', '--json'],
  ['export', 'dev'],
  ['export', 'dev', '--format', 'process'],
  ['credential-process', 'dev'],
  ['import', 'prod'],
  ['import', 'imported', '--from', 'prod'],
  ['import', 'dev2', '--from', 'dev', '--target', 'p-1_2'],
);

describe('hostile files and environments', () => {
  test('the seen case: refresh with [dev] twice in the credentials file: exit 6, the import words, no code sent, the file unchanged', async () => {
    const text = '[dev]\nregion = us-east-1\n\n[dev]\noutput = json\n';
    write(sandbox.credentialsFile, text);
    const sent = loopback.sts.count('GetSessionToken');
    const result = await sandbox.run(['refresh', 'dev', '--code', '123456'], { input: '' });
    assert.equal(result.status, 6, result.stderr);
    assert.match(result.stderr, /^mfa-tray refresh: .*has the section \[dev\] 2 times \(lines 1, 4\).*Merge them into one section/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.equal(loopback.sts.count('GetSessionToken'), sent, 'no code was sent');
    assert.equal(readFileSync(sandbox.credentialsFile, 'latin1'), text);
  });

  test('credentials and config files of any shape: a known outcome', async () => {
    await fc.assert(
      fc.asyncProperty(credentialsFile({ wild: true }), configFile, fileCommand, async (credentials, config, args) => {
        write(sandbox.credentialsFile, credentials.text);
        write(sandbox.configFile, config);
        assertKnownOutcome(
          await sandbox.run(args, { input: '', timeoutMs: 20_000 }),
          `mfa-tray ${args.join(' ')}\n--- credentials\n${credentials.text}\n--- config\n${config}`,
        );
      }),
      {
        numRuns: 60,
        endOnFailure: true,
        // The seen case, always tried first: a section that appears twice.
        examples: [[{ bom: '', chunks: [], text: '[dev]\nregion = us-east-1\n\n[dev]\noutput = json\n' }, '', ['refresh', 'dev', '--code', '123456']]],
      },
    );
  });

  test('odd environments: a known outcome', async () => {
    const envVariable = fc.constantFrom(
      'MFA_TRAY_CODE_TIMEOUT',
      'AWS_PROFILE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_CONFIG_FILE',
      'MFA_TRAY_CONFIG_DIR',
      'HOME',
    );
    const envValue = fc.oneof(
      fc.constantFrom('', ' ', '0', '-1', '99999999', 'abc', '/', '/dev/null', '/nonexistent/x/y', '/proc/self', 'dev', '../..', '\u00e9\u65e5'),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(envVariable, envValue, { maxKeys: 3 }), fileCommand, async (overrides, args) => {
        write(sandbox.credentialsFile, '');
        write(sandbox.configFile, '');
        const env = Object.fromEntries(Object.entries(overrides).filter(([, value]) => !value.includes('\u0000')));
        assertKnownOutcome(await sandbox.run(args, { input: '', timeoutMs: 20_000, env }), `mfa-tray ${args.join(' ')} with ${JSON.stringify(env)}`);
      }),
      { numRuns: 30, endOnFailure: true },
    );
  });
});

describe('hostile command lines', () => {
  test('any words, options and values: a known outcome', async () => {
    const word = fc.oneof(
      fc.constantFrom(
        'add',
        'import',
        'edit',
        'totp',
        'set',
        'remove',
        'refresh',
        'status',
        'export',
        'credential-process',
        'help',
        'version',
        'dev',
        'prod',
        'nobody',
      ),
      fc.constantFrom(
        '--code',
        '-t',
        '--token',
        '--duration',
        '--format',
        '--from',
        '--target',
        '--mfa-serial',
        '--access-key-id',
        '--region',
        '--all',
        '--json',
        '--yes',
        '--force',
        '--verify',
        '--remove-plaintext',
        '--forget-session',
        '--profile',
        '--help',
        '-h',
        '--',
        '-',
        '-x',
        '--no-such-option',
        '--code=1',
        '--duration=1h',
      ),
      fc.constantFrom(
        '',
        ' ',
        '123456',
        '12345',
        '0000000',
        '900',
        '1h30m',
        '-1',
        'env',
        'json',
        'fish',
        'arn:aws:iam::123456789012:mfa/alice',
        'AKIAIOSFODNN7EXAMPLE',
        '[dev]',
        'dev]\n[x',
        '__proto__',
        'DEFAULT',
        '\u2028',
        'x'.repeat(300),
      ),
      fc.string({ maxLength: 12 }).filter((s) => !s.includes('\u0000')),
    );
    const argv = fc.array(word, { minLength: 1, maxLength: 6 }).filter((args) => args[0] !== 'watch');
    await fc.assert(
      fc.asyncProperty(argv, fc.string({ maxLength: 60 }), async (args, input) => {
        write(sandbox.credentialsFile, '');
        assertKnownOutcome(await sandbox.run(args, { input, timeoutMs: 20_000 }), `mfa-tray ${JSON.stringify(args)} < ${JSON.stringify(input)}`);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });
});

describe('hostile STS answers', () => {
  /** A real GetSessionToken answer, to mutate. */
  const realAnswer = (expiration: string): string =>
    [
      '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
      '  <GetSessionTokenResult>',
      '    <Credentials>',
      '      <AccessKeyId>ASIAEXAMPLEEXAMPLE01</AccessKeyId>',
      '      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>',
      '      <SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken>',
      `      <Expiration>${expiration}</Expiration>`,
      '    </Credentials>',
      '  </GetSessionTokenResult>',
      '  <ResponseMetadata><RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId></ResponseMetadata>',
      '</GetSessionTokenResponse>',
    ].join('\n');
  const expiration = fc.oneof(
    fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('', 'soon', '2001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '-1', 'NaN', '2026-13-45T99:99:99Z', '1e400'),
    fc.string({ maxLength: 30 }),
  );
  const body = fc.oneof(
    expiration.map(realAnswer),
    fc.tuple(expiration, fc.nat(600), fc.nat(600)).map(([e, from, to]) => {
      const text = realAnswer(e);
      return text.slice(0, Math.min(from, to)) + text.slice(Math.max(from, to));
    }),
    fc.constantFrom(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message></Message></Error><RequestId>x</RequestId></ErrorResponse>',
      '<ErrorResponse><Error><Code></Code></Error></ErrorResponse>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>',
      '{"Credentials":{}}',
      '',
    ),
    fc.string({ maxLength: 200 }),
  );
  const answer = fc.record({
    status: fc.constantFrom(200, 200, 200, 201, 204, 301, 400, 403, 404, 429, 500, 503),
    body,
    contentType: fc.constantFrom('text/xml', 'application/json', 'text/html', 'application/octet-stream'),
    dated: fc.boolean(),
  });

  test('any answer to GetSessionToken: a known outcome, and the credentials file is changed only by a usable session', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(answer, async (a) => {
        run += 1;
        write(sandbox.credentialsFile, '');
        loopback.sts.answerNext(a);
        // A fresh code each run: a code sent once is refused locally for 90 s.
        const code = String(200_000 + run);
        const result = await sandbox.run(['refresh', 'dev', '--code', code], { timeoutMs: 20_000 });
        assertKnownOutcome(result, `answer ${JSON.stringify(a)}`);
        if (result.status !== 0) assert.equal(readFileSync(sandbox.credentialsFile, 'utf8'), '', 'nothing written on failure');
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });
});
