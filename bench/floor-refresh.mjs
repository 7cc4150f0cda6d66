#!/usr/bin/env node
// The floor a refresh is measured against (bench/run.mjs): the least a Node program can do for the
// same result. It imports the AWS SDK's STS client, calls GetSessionToken once (the endpoint from
// AWS_ENDPOINT_URL_STS, as the SDK reads it) and writes the profile's three keys into a credentials
// file with one plain write: no keychain, no lock, no fsync, no checks.
//
//   node bench/floor-refresh.mjs <profile> <access key id> <secret access key> <mfa serial> <code> <credentials file>
//
// With `--section-write` after them (row 3 in a refresh), the keys go into the file's section
// `<profile>` as bench/floor-write.mjs puts them (read, swap the section's text, temp file, fsync,
// rename, fsync the folder), and that write's time alone is printed as { writeMs } (JSON).
//
// The key is a throwaway of the loopback STS server the bench runs, so argv is good enough here.
import { writeFileSync } from 'node:fs';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { floorWrite } from './floor-write.mjs';

const [profile, accessKeyId, secretAccessKey, serialNumber, tokenCode, file, mode] = process.argv.slice(2);
const client = new STSClient({ region: process.env.AWS_DEFAULT_REGION ?? 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
const { Credentials } = await client.send(new GetSessionTokenCommand({ SerialNumber: serialNumber, TokenCode: tokenCode }));
if (mode === '--section-write') {
  const session = { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
  const writeMs = await floorWrite({ path: file, section: profile, session });
  process.stdout.write(`${JSON.stringify({ writeMs })}\n`);
} else
  writeFileSync(
    file,
    `[${profile}]\naws_access_key_id = ${Credentials.AccessKeyId}\naws_secret_access_key = ${Credentials.SecretAccessKey}\naws_session_token = ${Credentials.SessionToken}\n`,
    { mode: 0o600 },
  );
