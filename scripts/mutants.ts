/**
 * npm run mutants — seeded bugs in the module and the SDK's checks, each of which the tests
 * must catch. For every mutant: apply one edit, recompile when it is Solidity, run the test
 * files that guard that rule, and restore the file. A mutant is killed when those tests
 * fail. Prints each verdict and the kill count; exits 1 if any mutant survived.
 * `--only N[,M]` runs some of them; `--check` only checks that every mutant's text occurs
 * exactly once in its file (done first in every run, so a stale mutant fails in seconds).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

type Mutant = { file: string; what: string; find: string; replace: string; tests: string[] }

const module = 'contracts/session/SessionKeyValidator.sol'
const store = 'contracts/session/lib/SessionStoreLib.sol'
const policy = 'src/policy/checkSessionOperation.ts'
const guarantee = 'test/security/guarantee.test.ts'
const attacks = 'test/security/attacks.test.ts'
const differential = 'test/security/differential.test.ts'
const policyTests = 'test/integration/policy.test.ts'
const renounceTests = 'test/integration/renounce.test.ts'
const grantTests = 'test/integration/grant.test.ts'
const policyUnit = 'test/unit/policy.test.ts'
const recurringTests = 'test/security/recurring.test.ts'
const rotateTests = 'test/integration/rotateReplace.test.ts'
const anyTests = 'test/security/anyDestination.test.ts'
const sumTests = 'test/security/sumRule.test.ts'
const nftTests = 'test/security/erc721.test.ts'
const peerTests = 'test/accounts/peerAccounts.test.ts'
const listTests = 'test/integration/listSessions.test.ts'

const mutants: Mutant[] = [
  // ── the module ──
  {
    file: module,
    what: 'gas budget compared with twice what is left',
    find: 'if (cost > left) revert SessionGasBudgetExceeded(left, cost);',
    replace: 'if (cost > left * 2) revert SessionGasBudgetExceeded(left, cost);',
    tests: [guarantee, policyTests],
  },
  {
    file: store,
    what: "a grant's epoch is not checked",
    find: 'if (epoch != current) revert ISessionKeyValidator.SessionGrantEpochInvalid(sessionId, epoch, current);',
    replace: '',
    tests: [guarantee, grantTests],
  },
  {
    file: module,
    what: 'the epoch after a revocation is predictable (no random part)',
    find: 'uint128 epoch = uint128((count << 96) | random);',
    replace: 'uint128 epoch = uint128(count << 96) | (random & 0);',
    tests: [guarantee],
  },
  {
    file: module,
    what: 'the session key does not sign the grant it carries',
    find: 'signedFor = SessionStoreLib.hashPair(sessionId, digest);',
    replace: 'signedFor = sessionId;',
    tests: [guarantee, grantTests],
  },
  {
    file: module,
    what: "the grant's deadline does not narrow the window",
    find: 'if (enableBefore != 0 && enableBefore < validUntil) validUntil = enableBefore;',
    replace: '',
    tests: [guarantee],
  },
  {
    file: store,
    what: 'a token limit beside an uncountable method is accepted',
    find: 'if (tokenCounted) revert ISessionKeyValidator.SessionTokenLimitUncountable(target, selector);',
    replace: '',
    tests: [guarantee, recurringTests],
  },
  {
    file: module,
    what: 'the token limit ignores what was spent before',
    find: 'if (amount > limit - spent) revert SessionLimitExceeded(uint64(context), target, spent, amount, limit);',
    replace: 'if (amount > limit) revert SessionLimitExceeded(uint64(context), target, spent, amount, limit);',
    tests: [attacks],
  },
  {
    file: module,
    what: 'the native value total ignores what was sent before',
    find: 'if (value > limit - spent) revert SessionValueLimitExceeded(index, target, spent, value, limit);',
    replace: 'if (value > limit) revert SessionValueLimitExceeded(index, target, spent, value, limit);',
    tests: [policyTests],
  },
  {
    file: module,
    what: 'one use more than maxUses',
    find: 'if (uses >= policy.maxUses) revert SessionUsesExceeded(index, target, policy.maxUses);',
    replace: 'if (uses > policy.maxUses) revert SessionUsesExceeded(index, target, policy.maxUses);',
    tests: [policyTests],
  },
  {
    file: module,
    what: 'the per-call value limit lets one wei more through',
    find: 'if (flags & PolicyFlags.TARGET_VALUE_PER_CALL_LIMITED != 0 && value > policy.valueLimitPerCall) {',
    replace: 'if (flags & PolicyFlags.TARGET_VALUE_PER_CALL_LIMITED != 0 && value > policy.valueLimitPerCall + 1) {',
    tests: [policyTests, differential],
  },
  {
    file: module,
    what: 'any paymaster is accepted',
    find: 'if (paymasterAndData.length == 0) return;',
    replace: 'if (paymasterAndData.length < type(uint256).max) return;',
    tests: [attacks, policyTests],
  },
  {
    file: module,
    what: 'a revoked session is still valid',
    find: 'if (status == SessionStoreLib.STATUS_REVOKED || uint32(state >> 96) != SessionStoreLib.revocationCount(_state, msg.sender)) {',
    replace: 'if (uint32(state >> 96) != SessionStoreLib.revocationCount(_state, msg.sender)) {',
    tests: [attacks],
  },
  {
    file: module,
    what: 'a disabled session is still valid',
    find: 'if (uint8(state >> 136) == 0) revert SessionDisabled(sessionId);',
    replace: '',
    tests: [attacks],
  },
  {
    file: module,
    what: 'delegatecall needs no permission',
    find: 'return _checkCall(sessionId, context | (PolicyFlags.TARGET_DELEGATECALL << 64), target, 0, data);',
    replace: 'return _checkCall(sessionId, context, target, 0, data);',
    tests: [attacks],
  },
  {
    file: module,
    what: 'argument rules are not enforced',
    find: 'if (broken != type(uint256).max) revert SessionRuleViolated(index, target, selector, broken);',
    replace: '',
    tests: [attacks, policyTests],
  },
  {
    file: module,
    what: 'an inline token rule is not enforced',
    find: 'if (!clean || !ArgRuleLib.compare(uint8(rule >> 216), value, uint192(rule))) {',
    replace: 'if (false) {',
    tests: [policyTests, differential],
  },
  {
    file: module,
    what: 'a renouncement needs no signature of the session key',
    find: 'if (err != ECDSA.RecoverError.NoError || signer != sessionKey) revert SessionRenouncementInvalid(sessionId);',
    replace: '',
    tests: [renounceTests],
  },
  {
    file: 'contracts/session/lib/ArgRuleLib.sol',
    what: 'lte compares as lt',
    find: 'if (condition == PolicyFlags.LTE) return value <= bound;',
    replace: 'if (condition == PolicyFlags.LTE) return value < bound;',
    tests: [policyTests, differential],
  },
  {
    file: module,
    what: 'a claim of a period before the last charged is accepted (and restarts its counter)',
    find: 'if (period < current) revert SessionPeriodStale(uint64(context), target, period, current);',
    replace: '',
    tests: [recurringTests],
  },
  {
    file: module,
    what: 'the charged period does not narrow the operation window',
    find: 'if (uint48(window) < validUntil) validUntil = uint48(window);',
    replace: '',
    tests: [recurringTests],
  },
  {
    file: module,
    what: 'the claimed time is not signed by the session key',
    find: 'signedFor = SessionStoreLib.hashPair(signedFor, bytes32(claimed));',
    replace: '',
    tests: [recurringTests],
  },
  {
    file: module,
    what: 'a batch keeps the period of its first charged call only',
    find: 'if (uint48(charged) < uint48(window)) window = (window >> 48 << 48) | uint48(charged);',
    replace: '',
    tests: [recurringTests],
  },
  {
    file: module,
    what: 'a rotated session still takes the old key',
    find: 'if (uint8(state >> 144) & PolicyFlags.SESSION_KEY_ROTATED != 0) {',
    replace: 'if (false) {',
    tests: [rotateTests],
  },
  {
    file: module,
    what: 'a replacement revokes the old session even if it was used since',
    find: 'if (actual != usage) revert SessionUsageChanged(sessionId, usage, actual);',
    replace: '',
    tests: [rotateTests],
  },
  // ── the SDK's pre-flight check and signer ──
  {
    file: policy,
    what: 'pre-flight: the token limit is off by one',
    find: 'if (amount > permission.tokenLimit - usage.tokenSpent) {',
    replace: 'if (amount > permission.tokenLimit - usage.tokenSpent + 1n) {',
    tests: [policyUnit, differential],
  },
  {
    file: policy,
    what: 'pre-flight: the gas budget is compared with twice what is left',
    find: 'if (cost > left) throw callRefusals.gasBudgetExceeded(left, cost, { budget })',
    replace: 'if (cost > left * 2n) throw callRefusals.gasBudgetExceeded(left, cost, { budget })',
    tests: [policyUnit, guarantee],
  },
  {
    file: policy,
    what: 'pre-flight: any paymaster is accepted',
    find: 'if (!session.paymasters.some((p) => p.toLowerCase() === paymaster.toLowerCase())) {',
    replace: 'if (session.paymasters.length < 0) {',
    tests: [guarantee],
  },
  {
    file: policy,
    what: 'pre-flight: one use more than maxUses',
    find: 'if (usage.uses >= permission.maxUses) {',
    replace: 'if (usage.uses > permission.maxUses) {',
    tests: [policyUnit, differential],
  },
  {
    file: policy,
    what: 'pre-flight: the per-call value limit is off by one',
    find: 'if (limit.perCall !== undefined && value > limit.perCall) {',
    replace: 'if (limit.perCall !== undefined && value > limit.perCall + 1n) {',
    tests: [policyUnit, differential],
  },
  {
    file: 'src/policy/argRuleLib.ts',
    what: 'pre-flight: lte compares as lt',
    find: "    case 'lte':\n      return value <= values[0]",
    replace: "    case 'lte':\n      return value < values[0]",
    tests: [policyUnit, differential],
  },
  {
    file: 'src/actions/preflight.ts',
    what: 'pre-flight: the window is judged at the latest block, not the next',
    find: 'return Math.max(Number(latest.timestamp) + 1, Number(pending?.timestamp ?? 0n))',
    replace: 'return Number(latest.timestamp)',
    tests: [guarantee],
  },
  {
    file: 'src/account/toSessionKeyAccount.ts',
    what: 'signer: gas fields are signed whatever their size',
    find: 'if (field(name) > cap) {',
    replace: 'if (field(name) > cap * 1000n) {',
    tests: [guarantee],
  },
  {
    file: module,
    what: 'a destination reached through the any-destination permission takes its flags (a permission of its own, without the rule)',
    find: 'uint256 kept = context & _VIA_ANY != 0 ? 0 : word & type(uint136).max;',
    replace: 'uint256 kept = word & type(uint136).max;',
    tests: [anyTests],
  },
  {
    file: store,
    what: 'an any-destination method without an argument rule is accepted',
    find: 'if (!ruled) revert ISessionKeyValidator.SessionAnyTargetInvalid(4, selector);',
    replace: '',
    tests: [anyTests],
  },
  {
    file: module,
    what: "the any-destination permission's rules are looked up under the destination",
    find: 'address ruleTarget = context & _VIA_ANY != 0 ? address(0) : target;',
    replace: 'address ruleTarget = target;',
    tests: [anyTests],
  },
  {
    file: policy,
    what: 'SDK: the any-destination permission wins over the one that lists the destination',
    find: 'session.permissions.find((p) => p.target === target && !p.anyDestination) ??',
    replace: 'session.permissions.find((p) => p.anyDestination) ??',
    tests: [anyTests],
  },
  {
    file: 'contracts/session/lib/ArgRuleLib.sol',
    what: 'a cumulative sum ignores what was counted before',
    find: 'if (value > uint256(rule.values[0]) - total) return false;',
    replace: 'if (value > uint256(rule.values[0])) return false;',
    tests: [sumTests],
  },
  {
    file: store,
    what: "a sum on a destination's only token rule is stored inline (where nothing counts it)",
    find: 'rule.condition < PolicyFlags.ONE_OF && //',
    replace: 'rule.condition != PolicyFlags.ONE_OF && //',
    tests: [sumTests],
  },
  {
    file: 'src/policy/argRuleLib.ts',
    what: 'pre-flight: a cumulative sum ignores what the chain counted',
    find: 'if (value > BigInt(rules[i].values[0]) - total) return i',
    replace: 'if (value > BigInt(rules[i].values[0])) return i',
    tests: [sumTests],
  },
  {
    file: 'src/session/describe.ts',
    what: 'wallet side: an ERC-721 collection is described as an ERC-20 (token ids shown as amounts)',
    find: 'const nfts = client ? await readCollections(client, session) : new Set<string>()',
    replace: 'const nfts = new Set<string>()',
    tests: [nftTests],
  },
  {
    file: 'src/session/trust.ts',
    what: 'wallet side: any module is trusted',
    find: 'if (!known && options.allowUnknownModule !== true) {',
    replace: 'if (!known && options.allowUnknownModule === false) {',
    tests: [guarantee],
  },
  {
    file: module,
    what: 'a session without a gas budget does not count its operations (an atomic replace misses some)',
    find: 'else _store(session, state + _ONE_OPERATION);',
    replace: '',
    tests: [rotateTests],
  },
  {
    file: 'src/session/grant.ts',
    what: "wallet side: an off-chain grant is signed for an account whose ERC-1271 is not SessionAccount's (refused at first use)",
    find: 'domain?.name !== expected.name ||',
    replace: "domain?.name === 'none' &&",
    tests: [peerTests],
  },
  {
    file: 'src/actions/listSessions.ts',
    what: 'wallet side: the session list reads an any-destination session on its listed destinations only',
    find: 'targets: created.permissions.some((p) => p.anyDestination) ? await calledBy(sessionId) : [],',
    replace: 'targets: [],',
    tests: [listTests],
  },
  {
    file: 'src/session/grant.ts',
    what: "wallet side: a grant signed as another vendor's account is returned without the account confirming it",
    find: '    await assertOwnerSignedGrant(client, session, grant)\n  } catch (cause) {',
    replace: '  } catch (cause) {',
    tests: [peerTests],
  },
  {
    file: 'src/account/toOwnerAccount.ts',
    what: "the owner account's typed-data signature is not bound to the account (ERC-7739 nesting in another domain)",
    find: 'sessionAccountVerifierDomain({ chainId, account: address })',
    replace: 'sessionAccountVerifierDomain({ chainId, account: factory })',
    tests: [grantTests],
  },
]

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({ options: { only: { type: 'string' }, check: { type: 'boolean' } } })
const only = values.only?.split(',').map((n) => Number(n))
const selected = mutants.map((m, i) => ({ ...m, n: i + 1 })).filter((m) => !only || only.includes(m.n))

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe', encoding: 'utf8' })
const compile = () => {
  const result = run(['--import', 'tsx', 'scripts/compile.ts'])
  if (result.status !== 0) throw new Error(`compile failed:\n${result.stdout}${result.stderr}`)
}

const stale = selected.filter((m) => readFileSync(join(root, m.file), 'utf8').split(m.find).length - 1 !== 1)
for (const mutant of stale) {
  const count = readFileSync(join(root, mutant.file), 'utf8').split(mutant.find).length - 1
  console.error(
    `mutant ${mutant.n} (${mutant.what}) no longer applies: its text occurs ${count} times in ${mutant.file}`,
  )
}
if (stale.length > 0) process.exit(2)
if (values.check) {
  console.log(`mutants: all ${selected.length} apply`)
  process.exit(0)
}

let killed = 0
const survivors: string[] = []
for (const mutant of selected) {
  const path = join(root, mutant.file)
  const original = readFileSync(path, 'utf8')
  const started = Date.now()
  let outcome: string
  try {
    writeFileSync(path, original.replace(mutant.find, mutant.replace))
    const solidity = mutant.file.endsWith('.sol')
    let status: number | null = 1
    let compiled = true
    if (solidity) {
      try {
        compile()
      } catch {
        compiled = false // a mutant that does not compile is not a test of the tests
      }
    }
    if (compiled) {
      status = run(['--import', 'tsx', '--test', '--test-concurrency=2', ...mutant.tests], { FUZZ_RUNS: '300' }).status
    }
    outcome = !compiled ? 'did not compile' : status !== 0 ? 'killed' : 'SURVIVED'
  } finally {
    writeFileSync(path, original)
  }
  if (outcome === 'killed') killed++
  else survivors.push(`${mutant.n} (${mutant.what})`)
  console.log(
    `mutant ${String(mutant.n).padStart(2)} ${outcome.padEnd(15)} ${mutant.file}: ${mutant.what} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  )
}
compile()
console.log(
  `\nmutants: ${killed} of ${selected.length} killed${survivors.length ? `; not killed: ${survivors.join(', ')}` : ''}`,
)
process.exit(survivors.length === 0 ? 0 : 1)
