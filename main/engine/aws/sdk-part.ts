/**
 * The AWS SDK's two clients, bundled as a part of their own for the command (app/dist/cli-aws.cjs,
 * scripts/build.mjs) and loaded with its own code cache (files/code-cache.ts) when a command first
 * talks to AWS: half of the command's code is the SDK, and a command that never calls AWS (status,
 * list, edit, …) then never reads it. The tray app's bundle imports the clients as chunks instead.
 */
export * as sts from '@aws-sdk/client-sts';
export * as iam from '@aws-sdk/client-iam';
