import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPORT_FORMATS, formatExports, isExportFormat, isoExpiration } from '../../main/engine/sessions/exports';
import type { SessionCredentials } from '../../main/common/model';

const session: SessionCredentials = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//token+with/slashes==',
  expiresAt: Date.UTC(2026, 10, 28, 5, 12, 0),
};

// Expected outputs follow awscli's exportcreds.py formatters, with botocore's isoformat() expiry.
describe('formatExports', () => {
  it('prints env as export lines in the AWS CLI order', () => {
    assert.equal(
      formatExports(session, 'env'),
      [
        'export AWS_ACCESS_KEY_ID=ASIAEXAMPLEEXAMPLE12',
        'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'export AWS_SESSION_TOKEN=FwoGZXIvYXdzEXAMPLE//token+with/slashes==',
        'export AWS_CREDENTIAL_EXPIRATION=2026-11-28T05:12:00+00:00',
        '',
      ].join('\n'),
    );
  });

  it('prints env-no-export without the export keyword', () => {
    assert.match(formatExports(session, 'env-no-export'), /^AWS_ACCESS_KEY_ID=ASIAEXAMPLEEXAMPLE12\nAWS_SECRET_ACCESS_KEY=/);
  });

  it('prints fish as set -gx with quoted values', () => {
    assert.equal(formatExports(session, 'fish').split('\n')[2], 'set -gx AWS_SESSION_TOKEN "FwoGZXIvYXdzEXAMPLE//token+with/slashes=="');
  });

  it('prints powershell as $Env assignments', () => {
    assert.equal(formatExports(session, 'powershell').split('\n')[0], '$Env:AWS_ACCESS_KEY_ID="ASIAEXAMPLEEXAMPLE12"');
  });

  it('prints windows-cmd as set lines', () => {
    assert.equal(formatExports(session, 'windows-cmd').split('\n')[3], 'set AWS_CREDENTIAL_EXPIRATION=2026-11-28T05:12:00+00:00');
  });

  it('prints process as credential_process Version 1 JSON with two-space indent', () => {
    assert.equal(
      formatExports(session, 'process'),
      `{
  "Version": 1,
  "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
  "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "SessionToken": "FwoGZXIvYXdzEXAMPLE//token+with/slashes==",
  "Expiration": "2026-11-28T05:12:00+00:00"
}
`,
    );
  });

  it('knows exactly the AWS CLI formats plus fish', () => {
    assert.deepEqual([...EXPORT_FORMATS].sort(), ['env', 'env-no-export', 'fish', 'powershell', 'process', 'windows-cmd']);
    assert.equal(isExportFormat('bash'), false);
  });
});

describe('isoExpiration', () => {
  it('keeps sub-second digits as isoformat does (microseconds)', () => {
    assert.equal(isoExpiration(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000+00:00');
  });
});
