// esbuild plugins that change what the engine's code loads at run time, shared by the app's build
// (scripts/build.mjs) and the bench's children (bench/run.mjs), so that the bench measures the code
// as it ships.

/**
 * The AWS SDK clients' default credential chain (@aws-sdk/credential-provider-node: environment,
 * config files, SSO, IMDS, web identity, with the nested STS and SSO clients those use) is never
 * used: every call is given its credentials (ClientConfig in main/engine/aws/sdk-aws-gateway.ts).
 * It stands in as a chain that refuses, so that a refresh does not load and run ~200 KB of it.
 */
export const noDefaultCredentialChain = {
  name: 'no-default-credential-chain',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: 'credential-provider-node', namespace: 'no-default-chain' }));
    build.onLoad({ filter: /.*/, namespace: 'no-default-chain' }, () => ({
      contents:
        'export const defaultProvider = () => () => Promise.reject(new Error("MFA Tray gives every AWS call its credentials: the AWS SDK\'s default credential chain is not included"));',
      loader: 'js',
    }));
  },
};

/**
 * proper-lockfile's file system is graceful-fs, which queues and retries calls that fail with
 * EMFILE, for programs holding thousands of files open. The lock makes a few calls at a time, and
 * loading graceful-fs (it copies and patches node:fs, and loads Node's streams) cost ~8 ms of every
 * process that writes a file: in the bundles, proper-lockfile gets node:fs itself.
 */
export const lockWithPlainFs = {
  name: 'lock-with-plain-fs',
  setup(build) {
    build.onResolve({ filter: /^graceful-fs$/ }, (args) =>
      /[\\/]proper-lockfile[\\/]/.test(args.importer) ? { path: 'graceful-fs', namespace: 'plain-fs' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'plain-fs' }, () => ({ contents: "module.exports = require('node:fs');", loader: 'js' }));
  },
};

/**
 * signal-exit 3 (proper-lockfile's, to remove its locks when the process is killed) loads Node's
 * whole `assert` module, ~4 ms of every process that takes a lock, for one check of its own
 * argument: it gets that check alone. (signal-exit 4 has no `assert`, but proper-lockfile 4 asks
 * for 3.)
 */
export const signalExitWithoutAssert = {
  name: 'signal-exit-without-assert',
  setup(build) {
    build.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]signal-exit[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'signal-exit-assert' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'signal-exit-assert' }, () => ({
      contents: 'module.exports = { equal(actual, expected, message) { if (actual != expected) throw new Error(message); } };',
      loader: 'js',
    }));
  },
};

/**
 * The fast path (app/dist/cli-fast.cjs) reads one keychain entry and never lists entries. It
 * leaves out the Secret Service listing (main/engine/keychain/secret-service-listing.ts) and the
 * D-Bus client it loads (~460 KB of JavaScript, which every cached `credential-process` would
 * read): there that module says it could not begin, and a listing, were one ever made, would be
 * keytar's own (what `loadKeytar` does wherever the listing cannot begin).
 */
export const noListingInFastPath = {
  name: 'no-listing-in-fast-path',
  setup(build) {
    build.onResolve({ filter: /[\\/]secret-service-listing$/ }, (args) => ({ path: args.path, namespace: 'no-listing' }));
    build.onLoad({ filter: /.*/, namespace: 'no-listing' }, () => ({
      contents:
        'export class ListingNotStarted extends Error {}\n' +
        'export async function findCredentials() { throw new ListingNotStarted("the fast path lists through keytar"); }',
      loader: 'js',
    }));
  },
};

/**
 * dbus-native (the keychain's listing on Linux, main/engine/keychain/secret-service-listing.ts) loads
 * xml2js, with sax and xmlbuilder, when it loads, for one thing only: reading a service's
 * introspection XML to build proxy objects. The listing calls methods by name and never
 * introspects, so xml2js stands in as a parser that refuses: ~140 KB less for every process that
 * lists to load and hold.
 */
export const noDbusIntrospection = {
  name: 'no-dbus-introspection',
  setup(build) {
    build.onResolve({ filter: /^xml2js$/ }, (args) =>
      /[\\/]dbus-native[\\/]/.test(args.importer) ? { path: 'xml2js', namespace: 'no-introspection' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'no-introspection' }, () => ({
      contents: 'exports.Parser = class { constructor() { throw new Error("MFA Tray makes no D-Bus introspection: xml2js is not included"); } };',
      loader: 'js',
    }));
  },
};

/** All four, in the order the build applies them. */
export const engineLoadPlugins = [noDefaultCredentialChain, lockWithPlainFs, signalExitWithoutAssert, noDbusIntrospection];

/**
 * In a CommonJS bundle, a dynamic import() of a Node built-in (`await import('node:child_process')`,
 * loaded when first needed) becomes a plain require: esbuild keeps an external import() as it is,
 * which would start Node's ES module loader, and which a bundle compiled by main/engine/files/code-cache.ts (node:vm)
 * could not run at all.
 */
export const builtinsRequired = {
  name: 'builtins-required',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin-required' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'builtin-required' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * How the command's bundle (app/dist/cli.cjs) is built, shared with the bench's write child so that
 * it runs as a refresh does: one CommonJS file, compiled by app/dist/cli-loader.cjs with V8's code
 * cache. Minified: V8 still needs the text beside the cache, and without comments it is ASCII and
 * half the size (unminified, 2 MB with a few characters beyond ASCII in comments took ~20 ms to read
 * and decode on the bench's VM, minified ~7 ms). Names are kept (`keepNames`), so that errors and
 * classes still say what they are; the source map beside it has the rest.
 */
export const commandBundleOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  plugins: [builtinsRequired, ...engineLoadPlugins],
};
