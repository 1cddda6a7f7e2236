/**
 * The SDK's import rules (npm run deps, run by CI): no cycles, and each layer imports only the
 * layers below it. From the bottom: constants and utils/format; errors; utils/parse; policy (the
 * mirror of contracts/session); session, account, actions; submitter; devnet and deploy.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'errors-are-the-bottom-layer',
      comment: 'errors/ may import constants/, utils/format and itself only',
      severity: 'error',
      from: { path: '^src/errors/' },
      to: { path: '^src/', pathNot: ['^src/errors/', '^src/constants/', '^src/utils/format\\.ts$', '^src/generated/'] },
    },
    {
      name: 'constants-and-format-import-nothing-of-the-sdk',
      severity: 'error',
      from: { path: ['^src/constants/', '^src/utils/format\\.ts$'] },
      to: { path: '^src/', pathNot: ['^src/constants/', '^src/generated/'] },
    },
    {
      name: 'policy-mirrors-the-contracts-only',
      comment:
        'policy/ mirrors contracts/session: it uses errors, utils and constants, never the session or client code',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: { path: '^src/(session|account|actions|submitter|devnet|deploy)/' },
    },
    {
      name: 'the-sdk-does-not-import-the-devnet',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/devnet/' },
      to: { path: '^src/devnet/' },
    },
    {
      name: 'deploy-does-not-import-the-devnet',
      severity: 'error',
      from: { path: ['^scripts/deploy\\.ts$', '^src/deploy/'] },
      to: { path: '^src/devnet/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
