/**
 * The bench's tables, rendered from bench/results.json only: `npm run bench` writes them into
 * bench/README.md and the README's gas section, and `npm run bench -- --check` fails when
 * either file says something else than the committed results.
 */

/** The bytes of a measured transaction: its calldata, and the L1 data gas a rollup charges for it. */
export type DataFigure = { calldataBytes: number; l1Gas: number }

/** Our definition's figures (bench/README.md, "Two definitions"). */
type OurGas =
  | 'deployAccount'
  | 'grantSession'
  | 'offchainGrantFirstUse'
  | 'ownerErc20Transfer'
  | 'sessionErc20Transfer'
  | 'sessionBatch5Transfers'
  | 'sessionRules3Permissions'
  | 'revokeSession'
  | 'sessionErc20TransferFirst'
  | 'sessionErc20TransferUnlimitedGas'
  | 'gasBudgetCharge'
  | 'installModuleOnly'
  | 'sessionOverhead'
  | 'eqRuleExtra'
  | 'sessionRecurringTransfer'
  | 'sessionRateLimitedCall'
  | 'sessionRecurringNewPeriod'
  | 'recurringExtra'
  | 'rateLimitExtra'

export type BenchResults = {
  gas: Record<OurGas, number> & { publishedScenario: Record<string, number> }
  calldata: { publishedScenario: Record<string, DataFigure> }
  sdk: Record<string, number>
  scenarios: Record<string, string>
  peers: {
    sessionErc20Transfer: Record<string, { gas: number; l1Gas: number; entryPoint: string }>
    source: string
    notes: string[]
  }
  environment: Record<string, string>
}

const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'))

function table(rows: string[][]): string {
  const [head, ...body] = rows
  return [
    `| ${head.join(' | ')} |`,
    `|${' --- |'.repeat(head.length)}`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

/** The published scenario beside the peers' published figures (the only like-for-like comparison). */
export function publishedTable(results: BenchResults): string {
  const ours = results.gas.publishedScenario.sessionErc20Transfer
  const data = results.calldata.publishedScenario.sessionErc20Transfer
  const rows = [
    ['Session-key ERC-20 transfer, published scenario', 'Gas', 'Gas ÷ ours', 'L1 data gas', 'Calldata bytes'],
    ['**session-keys** (EntryPoint v0.7)', fmt(ours), '1.000', fmt(data.l1Gas), fmt(data.calldataBytes)],
    ...Object.entries(results.peers.sessionErc20Transfer).map(([name, peer]) => [
      `${name} (EntryPoint ${peer.entryPoint})`,
      fmt(peer.gas),
      (peer.gas / ours).toFixed(3),
      fmt(peer.l1Gas),
      '—',
    ]),
  ]
  return table(rows)
}

/** Our figures in both definitions. */
export function gasTable(results: BenchResults): string {
  const g = results.gas
  const p = g.publishedScenario
  const rows = [
    ['Operation', 'Ours (bundler = beneficiary, SDK estimates)', 'Published scenario (cold beneficiary, 1 wei fees)'],
    ['ERC-20 transfer, owner-signed, first operation of the account', '—', fmt(p.ownerErc20Transfer)],
    [
      'ERC-20 transfer, owner-signed, later operation',
      fmt(g.ownerErc20Transfer),
      fmt(p.ownerErc20TransferSecondToHolder),
    ],
    ['Install module + create a one-permission session', fmt(g.grantSession), fmt(p.createSession)],
    ['Session-key ERC-20 transfer, first use, recipient without tokens', '—', fmt(p.sessionErc20Transfer)],
    [
      'Session-key ERC-20 transfer, first use, recipient holding tokens',
      fmt(g.sessionErc20TransferFirst),
      fmt(p.sessionErc20TransferToHolder),
    ],
    ['Session-key ERC-20 transfer, second use, recipient without tokens', '—', fmt(p.sessionErc20TransferSecondUse)],
    [
      'Session-key ERC-20 transfer, second use, recipient holding tokens',
      fmt(g.sessionErc20Transfer),
      fmt(p.sessionErc20TransferSecondUseToHolder),
    ],
    [
      'Session overhead (session − owner transfer, later use, recipient holding tokens)',
      fmt(g.sessionOverhead),
      fmt(p.sessionErc20TransferSecondUseToHolder - p.ownerErc20TransferSecondToHolder),
    ],
    ['A recipient `eq` rule, over the same session without it', '—', fmt(g.eqRuleExtra)],
    ['Off-chain grant, first use: extra over an on-chain grant', fmt(g.offchainGrantFirstUse), '—'],
    ["Session-key transfer, gas budget opted out ('unlimited')", fmt(g.sessionErc20TransferUnlimitedGas), '—'],
    ['Gas budget charge per operation (budgeted − unlimited)', fmt(g.gasBudgetCharge), '—'],
    [
      'Session-key transfer with a daily allowance, same day (extra over a plain one)',
      `${fmt(g.sessionRecurringTransfer)} (+${fmt(g.recurringExtra)})`,
      '—',
    ],
    [
      'Session-key transfer with a rate limit, same hour (extra over a plain one)',
      `${fmt(g.sessionRateLimitedCall)} (+${fmt(g.rateLimitExtra)})`,
      '—',
    ],
    ['Session-key transfer with a daily allowance, first of a new day', fmt(g.sessionRecurringNewPeriod), '—'],
    ['Batch of 5 transfers, session key', fmt(g.sessionBatch5Transfers), '—'],
    ['Session with 3 permissions and argument rules, one call', fmt(g.sessionRules3Permissions), '—'],
    ['Revoke a session', fmt(g.revokeSession), '—'],
    ['Deploy the account (user operation with initCode)', fmt(g.deployAccount), '—'],
    ['Install module only (empty init)', fmt(g.installModuleOnly), '—'],
  ]
  return table(rows)
}

/** Calldata and L1 data gas of every operation of the published scenario. */
export function dataTable(results: BenchResults): string {
  return table([
    ['Operation (published scenario)', 'Calldata bytes', 'L1 data gas', 'Gas'],
    ...Object.entries(results.calldata.publishedScenario).map(([name, d]) => [
      `\`${name}\``,
      fmt(d.calldataBytes),
      fmt(d.l1Gas),
      fmt(results.gas.publishedScenario[name]),
    ]),
  ])
}

export function sdkTable(results: BenchResults): string {
  const s = results.sdk
  return table([
    ['SDK figure', 'Value'],
    [
      'Bundle, whole entry, min+gzip, viem external',
      `${fmt(s.bundleBytesGzip)} bytes (${fmt(s.bundleBytesMinified)} minified)`,
    ],
    [
      'Bundle, dapp flow (define, key, session account, grant calls, preflight), tree-shaken, min+gzip',
      `${fmt(s.dappFlowBundleBytesGzip)} bytes`,
    ],
  ])
}

/** bench/README.md, whole. */
export function renderBenchReadme(results: BenchResults): string {
  const scenarios = Object.entries(results.scenarios)
    .map(([key, text]) => `- \`${key}\`: ${text}`)
    .join('\n')
  return `# Benchmarks

Produced by \`npm run bench\` (scripts/bench.ts) from \`results.json\`, which holds every figure
and each scenario in one sentence. Gas is exact and deterministic: \`gasUsed\` of the
\`handleOps\` transaction of a one-operation bundle, on ${results.environment.chain}, contracts
compiled with solc ${results.environment.solc}. \`npm run bench -- --check\` (run by CI) measures
the gas again and fails when a figure rose by more than 1% over \`results.json\`, or when this
file or the README's tables differ from what \`results.json\` renders.

## Two definitions

- **Ours**: the operation goes through the SDK (gas fields from its estimate, fees from the
  chain), the account pays its prefund, and the beneficiary is the bundler's own EOA (the
  transaction's sender, so already warm). No figure depends on an operation returning the
  EntryPoint deposit to its value before the transaction (the bench checks it).
- **Published scenario** (alchemyplatform/aa-benchmarks): one EOA sends \`handleOps\` with a
  separate beneficiary that the transaction has not touched before (cold, existing). Each figure
  starts from the same fresh fixture: the account created through the factory by a plain
  transaction, funded with 100 ETH and 100 tokens; an owner-signed operation creates the session;
  the measured session operation is its first use and pays a recipient whose balance was zero.
  Operation fields: callGasLimit 1,000,000, verificationGasLimit 2,000,000, both fees 1 wei,
  preVerificationGas from the reference formula. The session is made with the SDK's defaults
  (gas budget included).

${gasTable(results)}

## Beside the peers: the published scenario only

${publishedTable(results)}

L1 data gas: 4 per zero byte and 16 per other byte of the signed transaction, plus 68 × 16, as
the published benchmark counts it (OP Stack's GasPriceOracle before Fjord). On a rollup the L1
fee is this figure times the L1 gas price and the chain's scalar; per session operation ours
posts ${fmt(results.peers.sessionErc20Transfer['Biconomy v2'].l1Gas - results.calldata.publishedScenario.sessionErc20Transfer.l1Gas)} less L1 data gas than Biconomy v2 and ${fmt(results.peers.sessionErc20Transfer['Kernel v2.1'].l1Gas - results.calldata.publishedScenario.sessionErc20Transfer.l1Gas)} less than Kernel v2.1.

${dataTable(results)}

${results.peers.notes.map((n) => `- ${n}`).join('\n')}

Peer figures: ${results.peers.source}.

## SDK

${sdkTable(results)}

Throughput (session-key signatures and pre-flight checks per second) depends on the machine:
\`npm run bench\` prints it and keeps it out of tracked files (\`bench/.cache/throughput.json\`).

## Scenarios

${scenarios}
`
}

/** The README's gas section body (between its markers). */
export function renderReadmeGas(results: BenchResults): string {
  const g = results.gas
  const p = g.publishedScenario
  return `${publishedTable(results)}

In our own scenario (the bundler as beneficiary, the session already used once, recipient
holding tokens) a session-key ERC-20 transfer costs ${fmt(g.sessionErc20Transfer)} gas and the
owner-signed one ${fmt(g.ownerErc20Transfer)}; installing the module and creating a
one-permission session in one owner operation costs ${fmt(g.grantSession)}
(${fmt(p.createSession)} in the published scenario). Every figure, both definitions, and each
scenario in one sentence: [\`bench/README.md\`](bench/README.md).`
}

export const readmeStart = '<!-- bench:gas (generated from bench/results.json by npm run bench) -->'
export const readmeEnd = '<!-- /bench:gas -->'

/** The README with its gas section replaced; throws when the markers are missing. */
export function withReadmeGas(readme: string, results: BenchResults): string {
  const start = readme.indexOf(readmeStart)
  const end = readme.indexOf(readmeEnd)
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${readmeStart} … ${readmeEnd}`)
  return `${readme.slice(0, start + readmeStart.length)}\n\n${renderReadmeGas(results)}\n\n${readme.slice(end)}`
}
