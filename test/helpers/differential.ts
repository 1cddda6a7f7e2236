/**
 * Differential testing of the two implementations of the session rules: the module (through
 * the real EntryPoint, `handleOps` simulated) and the SDK's pre-flight check. Random sessions
 * and random operations — single and batch calls, well-formed and malformed calldata, value,
 * call types, windows, revocations, recurring limits, sums, the any-destination permission —
 * must get the same verdict from both,
 * down to the rule broken and the call index.
 */

import fc from 'fast-check'
import {
  type Address,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  maxUint256,
  numberToHex,
  pad,
  toFunctionSelector,
  toHex,
} from 'viem'
import { entryPoint07Abi, getUserOperationHash, toPackedUserOperation } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { handleUserOperation, prepareUserOperation07, testTargetAbi, testTokenAbi } from '../../src/devnet/index.js'
import {
  accountCallsAbi,
  CallNotPermittedError,
  defineSession,
  entryPointAddress,
  findEntryPointRejection,
  fromEntryPointRejection,
  generateSessionKey,
  getValidationTime,
  InvalidParameterError,
  PeriodLimitExceededError,
  type PermissionInput,
  preflight,
  type SeedPermission,
  SessionDisabledError,
  SessionExpiredError,
  SessionNotYetValidError,
  SessionRevokedError,
  SpendingLimitExceededError,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  toSessionConfig,
  toSessionKeyAccount,
} from '../../src/index.js'
import type { Fixture } from './fixture.js'

const uncountableSelector = toFunctionSelector('SessionTokenLimitUncountable(address,bytes4)')

const selectors = {
  transfer: 'transfer(address,uint256)',
  approve: 'approve(address,uint256)',
  transferFrom: 'transferFrom(address,address,uint256)',
  ping: 'ping(uint256)',
  poke: 'poke()',
  mark: 'mark(address,uint8,bool)',
} as const

export type Case = {
  permissions: PermissionSpec[]
  window: 'now' | 'future' | 'past'
  enabled: boolean
  revoked: boolean
  gasBudget: bigint | undefined
  calls: CallSpec[]
  mode: 'single' | 'batch' | 'try' | 'delegate' | 'dirty'
  mutation: 'none' | 'offset' | 'trailing' | 'length' | 'element'
  /** How many times the same operation goes to the chain first (earlier spending). */
  repeat: number
  /** Whether the session lists the test paymaster, and whether the operation names it. */
  listPaymaster: boolean
  usePaymaster: boolean
}

/** A rule on `mark(address who, uint8 level, bool on)`. */
type MarkRule = {
  arg: 'who' | 'level' | 'on'
  condition: 'eq' | 'neq' | 'lte' | 'gte' | 'oneOf' | 'sumLte'
  value: number
}

type PermissionSpec = {
  /** `any`: the permission for every destination no other permission lists. */
  target: 'token' | 'otherToken' | 'target' | 'any'
  methods: (keyof typeof selectors)[]
  tokenLimit?: bigint
  valueLimit?: { perCall?: bigint; total?: bigint }
  maxUses?: number
  rule?: { condition: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'oneOf' | 'sumLte'; values: bigint[] }
  markRules?: MarkRule[]
  /** Recurring limits: periods of `period` seconds that started `elapsed` seconds before the session's creation. */
  recurring?: { period: number; elapsed: number; tokenLimit?: bigint; valueLimit?: bigint; maxUses?: number }
  allowTryMode: boolean
  allowDelegatecall: boolean
  allowEmptyCalldata: boolean
}

type CallSpec = {
  target: 'token' | 'otherToken' | 'target' | 'account' | 'module' | 'zero' | 'stranger'
  kind: 'transfer' | 'approve' | 'transferFrom' | 'ping' | 'poke' | 'mark' | 'empty' | 'short' | 'random' | 'dirty'
  amount: bigint
  value: bigint
  /** Random bytes: the calldata of a `random` call (after a permitted selector half the time). */
  noise: Uint8Array
}

const weighted = <T>(...items: [number, fc.Arbitrary<T>][]) =>
  fc.oneof(...items.map(([weight, arbitrary]) => ({ weight, arbitrary })))

const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2000n }), fc.constantFrom(0n, 1n, 1000n, 2n ** 120n))
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight = 1) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight, arbitrary })

const permissionSpec: fc.Arbitrary<PermissionSpec> = fc
  .record({
    target: weighted(
      [3, fc.constantFrom('token' as const, 'otherToken' as const, 'target' as const)],
      [1, fc.constant('any' as const)],
    ),
    methods: fc.uniqueArray(fc.constantFrom(...(Object.keys(selectors) as (keyof typeof selectors)[])), {
      minLength: 1,
      maxLength: 3,
    }),
    tokenLimit: sometimes(fc.bigInt({ min: 0n, max: 3000n }), 2),
    valueLimit: sometimes(
      fc.record(
        { perCall: fc.bigInt({ min: 0n, max: 50n }), total: fc.bigInt({ min: 0n, max: 80n }) },
        { requiredKeys: [] },
      ),
    ),
    maxUses: sometimes(fc.integer({ min: 0, max: 3 })),
    rule: sometimes(
      fc.record({
        condition: fc.constantFrom('eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'oneOf', 'sumLte'),
        values: fc.array(fc.bigInt({ min: 0n, max: 1500n }), { minLength: 1, maxLength: 4 }),
      }),
      4,
    ),
    markRules: sometimes(
      fc.array(
        fc.record({
          arg: fc.constantFrom('who', 'level', 'on'),
          condition: fc.constantFrom('eq', 'neq', 'lte', 'gte', 'oneOf', 'sumLte'),
          value: fc.integer({ min: 0, max: 5 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      3,
    ),
    recurring: sometimes(
      fc
        .record(
          {
            period: fc.constantFrom(15, 60, 3600),
            elapsed: fc.integer({ min: 0, max: 4000 }),
            tokenLimit: fc.bigInt({ min: 0n, max: 2000n }),
            valueLimit: fc.bigInt({ min: 0n, max: 80n }),
            maxUses: fc.integer({ min: 0, max: 3 }),
          },
          { requiredKeys: ['period', 'elapsed'] },
        )
        .filter((r) => r.tokenLimit !== undefined || r.valueLimit !== undefined || r.maxUses !== undefined),
    ),
    allowTryMode: fc.boolean(),
    allowDelegatecall: fc.boolean(),
    allowEmptyCalldata: fc.boolean(),
    // Mostly, a token limit goes with token methods only (anything else is refused at
    // definition and at creation, which one case in ten still checks).
    mixedLimit: fc.integer({ min: 0, max: 9 }),
  })
  .map(({ mixedLimit, ...p }) => {
    const tokenMethods = p.methods.filter((m) => m !== 'ping' && m !== 'poke' && m !== 'mark')
    const counted = p.tokenLimit !== undefined || p.recurring?.tokenLimit !== undefined
    if (counted && mixedLimit > 0) {
      if (tokenMethods.length > 0) p.methods = tokenMethods
      else {
        p.tokenLimit = undefined
        if (p.recurring?.tokenLimit !== undefined) {
          const { tokenLimit: _dropped, ...rest } = p.recurring
          p.recurring = rest.valueLimit === undefined && rest.maxUses === undefined ? undefined : rest
        }
      }
    }
    // Rules only where their method is granted: the case shows exactly what is enforced.
    if (p.rule && !p.methods.includes('ping') && !(p.methods.includes('transfer') && p.rule.condition !== 'oneOf')) {
      p.rule = undefined
    }
    if (p.markRules && !p.methods.includes('mark')) p.markRules = undefined
    if (p.target === 'any') anyDestination(p)
    return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as PermissionSpec
  })

/**
 * Makes a permission a valid any-destination one: plain calls only (no value, try-mode,
 * delegatecall, empty calldata or recurrence), and a rule on every method: `transfer` (on its
 * amount) or `ping` (on its number) carries the one rule, `mark` its own; other methods go.
 */
function anyDestination(p: PermissionSpec & { rule?: PermissionSpec['rule']; markRules?: MarkRule[] }): void {
  Object.assign(p, {
    valueLimit: undefined,
    recurring: undefined,
    allowTryMode: false,
    allowDelegatecall: false,
    allowEmptyCalldata: false,
  })
  const ruled = p.methods.includes('ping') ? 'ping' : 'transfer'
  const rule = p.rule ?? { condition: 'lte' as const, values: [1000n] }
  p.rule = ruled === 'transfer' && rule.condition === 'oneOf' ? { ...rule, condition: 'eq' } : rule
  p.methods = p.methods.filter((m) => m === ruled || (m === 'mark' && p.markRules !== undefined))
  if (p.methods.length === 0) p.methods = [ruled]
}
const callSpec: fc.Arbitrary<CallSpec> = fc.record({
  target: fc.constantFrom('token', 'token', 'otherToken', 'target', 'target', 'account', 'module', 'zero', 'stranger'),
  kind: fc.constantFrom(
    'transfer',
    'transfer',
    'approve',
    'transferFrom',
    'ping',
    'poke',
    'mark',
    'mark',
    'empty',
    'short',
    'random',
    'dirty',
  ),
  amount,
  value: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 100n })),
  noise: fc.uint8Array({ maxLength: 100 }),
})

/** Amounts on and next to every boundary of a permission (rule values, limits), where bugs hide. */
function boundaries(p: PermissionSpec): bigint[] {
  const edges = [
    ...(p.rule?.values ?? []),
    ...(p.tokenLimit === undefined ? [] : [p.tokenLimit]),
    ...(p.recurring?.tokenLimit === undefined ? [] : [p.recurring.tokenLimit]),
    ...(p.markRules ?? []).map((r) => BigInt(r.value)),
  ]
  return edges.flatMap((v) => [v - 1n, v, v + 1n]).filter((v) => v >= 0n)
}

/** Values on and next to the value limits of a permission. */
function valueEdges(p: PermissionSpec): bigint[] {
  const limits = [p.valueLimit?.perCall, p.valueLimit?.total, p.recurring?.valueLimit].filter(
    (v): v is bigint => v !== undefined,
  )
  return [1n, ...limits.flatMap((v) => [v, v + 1n])].filter((v) => v > 0n)
}

/** The destinations no permission lists (the stranger, an address without code, always). */
const unlisted = (permissions: PermissionSpec[]) =>
  (['token', 'otherToken', 'target', 'stranger'] as const).filter((t) => !permissions.some((p) => p.target === t))

/** Calls aimed mostly at what the session permits, on its boundaries, so that both verdicts are common. */
const callFor = (permissions: PermissionSpec[]): fc.Arbitrary<CallSpec> =>
  weighted(
    [
      6,
      fc.constantFrom(...permissions).chain((p) => {
        const edges = boundaries(p)
        return fc
          .record({
            kind: fc.constantFrom(...p.methods),
            amount: edges.length > 0 ? weighted([1, amount], [4, fc.constantFrom(...edges)]) : amount,
            value: weighted([4, fc.constant(0n)], [1, fc.constantFrom(...valueEdges(p))]),
            noise: fc.uint8Array({ maxLength: 100 }),
          })
          .chain((call) =>
            // The any-destination permission is tried on every destination (listed or not).
            (p.target === 'any'
              ? weighted<CallSpec['target']>(
                  [4, fc.constantFrom(...unlisted(permissions))],
                  [1, fc.constantFrom('token' as const, 'otherToken' as const, 'target' as const)],
                )
              : fc.constant(p.target)
            ).map((target) => ({ ...call, target }) as CallSpec),
          )
      }),
    ],
    [2, callSpec],
  )

const anyCase: fc.Arbitrary<Case> = fc
  .uniqueArray(permissionSpec, { minLength: 1, maxLength: 3, selector: (p) => p.target })
  .chain((permissions) =>
    fc.record({
      permissions: fc.constant(permissions),
      window: weighted(
        [8, fc.constant('now' as const)],
        [1, fc.constant('future' as const)],
        [1, fc.constant('past' as const)],
      ),
      enabled: weighted([9, fc.constant(true)], [1, fc.constant(false)]),
      revoked: weighted([9, fc.constant(false)], [1, fc.constant(true)]),
      gasBudget: weighted([5, fc.constant(undefined)], [1, fc.bigInt({ min: 0n, max: 4_000_000_000_000_000n })]),
      calls: fc.array(callFor(permissions), { minLength: 1, maxLength: 3 }),
      mode: weighted(
        [4, fc.constant('single' as const)],
        [4, fc.constant('batch' as const)],
        [1, fc.constant('try' as const)],
        [1, fc.constant('delegate' as const)],
        [1, fc.constant('dirty' as const)],
      ),
      mutation: weighted(
        [12, fc.constant('none' as const)],
        [1, fc.constant('offset' as const)],
        [1, fc.constant('trailing' as const)],
        [1, fc.constant('length' as const)],
        [1, fc.constant('element' as const)],
      ),
      repeat: weighted([6, fc.constant(0)], [3, fc.constant(1)], [1, fc.constant(2)]),
      listPaymaster: weighted([3, fc.constant(false)], [1, fc.constant(true)]),
      usePaymaster: weighted([3, fc.constant(false)], [1, fc.constant(true)]),
    }),
  )

/**
 * A case whose surroundings are benign (live, enabled session; plain single or batch mode; well-formed
 * calldata; no paymaster; no gas budget of its own), so that only the calls and the session's rules
 * decide. Without these, accepted operations are rare (a few in a hundred) and the accepting side of
 * every rule is barely tried.
 */
const benignCase: fc.Arbitrary<Case> = anyCase.map((c) => ({
  ...c,
  window: 'now' as const,
  enabled: true,
  revoked: false,
  gasBudget: undefined,
  mode: c.calls.length > 1 ? ('batch' as const) : ('single' as const),
  mutation: 'none' as const,
  usePaymaster: false,
}))

/** Two cases in three fully random, one in three with benign surroundings. */
export const caseArbitrary: fc.Arbitrary<Case> = weighted([2, anyCase], [1, benignCase])

/** The verdict, as comparable text: "ok", or the rule (and call index) that refused it. */
export function verdict(error: unknown): string {
  if (error === undefined) return 'ok'
  if (error instanceof CallNotPermittedError) return `${error.rule}@${error.index}`
  if (error instanceof SpendingLimitExceededError) return `token-limit@${error.index}`
  if (error instanceof PeriodLimitExceededError) return `period-${error.kind}@${error.index}`
  if (error instanceof SessionRevokedError) return 'revoked'
  if (error instanceof SessionDisabledError) return 'disabled'
  if (error instanceof SessionExpiredError) return 'expired'
  if (error instanceof SessionNotYetValidError) return 'not-yet-valid'
  return `unexpected: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`
}

/**
 * Whether a call of the case reaches a destination through the any-destination permission
 * (one no other permission lists): the cases that test that path.
 */
export function reachesAnyDestination(c: Case): boolean {
  if (!c.permissions.some((p) => p.target === 'any')) return false
  const free: readonly string[] = unlisted(c.permissions)
  const calls = c.mode === 'single' || c.mode === 'delegate' ? c.calls.slice(0, 1) : c.calls
  return calls.some((call) => free.includes(call.target))
}

/** Runs one case on both implementations; returns both verdicts. */
export async function runCase(f: Fixture, c: Case): Promise<{ chain: string; sdk: string; detail: string }> {
  await f.reset()
  const addresses = { token: f.token, otherToken: f.otherToken, target: f.target, any: 'any' as const }
  const now = await f.devnet.now()
  const window =
    c.window === 'now'
      ? { startTimestamp: now - 100, endTimestamp: now + 3600 }
      : c.window === 'future'
        ? { startTimestamp: now + 600, endTimestamp: now + 3600 }
        : { startTimestamp: now - 3600, endTimestamp: now + 1 }
  const key = generateSessionKey()
  const definition = {
    account: f.account,
    chainId: f.devnet.chain.id,
    sessionKey: key.address,
    permissions: c.permissions.map((p) => toPermissionInput(p, addresses[p.target], now)),
    validity: { ...window, enable: c.enabled },
    gasBudget: c.gasBudget ?? ('unlimited' as const),
    paymasters: c.listPaymaster ? [f.paymaster] : [],
    now: now - 200,
  }
  let session: ReturnType<typeof defineSession>
  try {
    session = defineSession(definition)
  } catch (error) {
    // The SDK refuses a token limit beside a method it cannot count: the module must refuse
    // to create the same session.
    if (!(error instanceof InvalidParameterError) || !/could move tokens uncounted/.test(error.message)) throw error
    const loose = defineSession({
      ...definition,
      permissions: definition.permissions.map((p) => {
        const recurring = (p as SeedPermission).recurring
        const rest = recurring && { ...recurring, tokenAmount: undefined, maxUses: recurring.maxUses ?? 1 }
        return { ...(p as SeedPermission), tokenAmount: undefined, recurring: rest }
      }),
    })
    const config = toSessionConfig(loose)
    config.permissions.forEach((p, i) => {
      const { tokenLimit, recurring } = c.permissions[i]
      if (tokenLimit !== undefined) (p as { tokenLimit: bigint }).tokenLimit = tokenLimit
      if (recurring !== undefined) {
        const r = p.recurring as { tokenLimit: bigint; maxUses: bigint }
        r.tokenLimit = recurring.tokenLimit ?? maxUint256
        r.maxUses = recurring.maxUses === undefined ? maxUint256 : BigInt(recurring.maxUses)
      }
    })
    const chain = await f.client
      .simulateContract({
        account: f.account,
        address: sessionKeyValidatorAddress,
        abi: sessionKeyValidatorAbi,
        functionName: 'createSession',
        args: [config],
      })
      .then(
        () => 'created',
        (e: unknown) => {
          const text = `${(e as Error).message} ${JSON.stringify((e as { cause?: unknown }).cause, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`
          return /SessionTokenLimitUncountable|0x[0-9a-f]*/i.test(text) && text.includes(uncountableSelector.slice(2))
            ? 'uncountable'
            : text.slice(0, 300)
        },
      )
    return { chain, sdk: 'uncountable', detail: 'token limit beside an uncountable method' }
  }
  // Create it as the account would (impersonated: this sets state up, the module is real).
  await f.client.impersonateAccount({ address: f.account })
  await f.client.sendTransaction({
    account: f.account,
    chain: f.client.chain,
    to: sessionKeyValidatorAddress,
    data: encodeFunctionData({
      abi: sessionKeyValidatorAbi,
      functionName: 'createSession',
      args: [toSessionConfig(session)],
    }),
  })
  if (c.revoked) {
    await f.client.sendTransaction({
      account: f.account,
      chain: f.client.chain,
      to: sessionKeyValidatorAddress,
      data: encodeFunctionData({ abi: sessionKeyValidatorAbi, functionName: 'revokeSession', args: [session.id] }),
    })
  }
  await f.client.stopImpersonatingAccount({ address: f.account })
  if (c.window === 'past') await f.devnet.increaseTime(10)

  const callData = buildCallData(f, c)
  const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
  const recurring = session.permissions.some((p) => p.recurring !== undefined)
  // Signed straight with the key: the SDK's signer would refuse what is over the gas budget,
  // and the chain must be asked anyway.
  const signed = async () => {
    const op = await prepareUserOperation07(f.client, { account: dapp, callData })
    if (c.usePaymaster) {
      Object.assign(op, {
        paymaster: f.paymaster,
        paymasterData: '0x',
        paymasterVerificationGasLimit: 100_000n,
        paymasterPostOpGasLimit: 0n,
      })
    }
    const userOpHash = getUserOperationHash({
      userOperation: op,
      entryPointAddress,
      entryPointVersion: '0.7',
      chainId: f.devnet.chain.id,
    })
    // With recurring limits, the time the SDK claims: the next block's.
    const claim = recurring ? numberToHex(await getValidationTime(f.client), { size: 6 }) : undefined
    const signedFor = claim ? keccak256(concat([session.id, pad(claim, { size: 32 })])) : session.id
    const rsv = await privateKeyToAccount(key.privateKey).sign({ hash: keccak256(concat([userOpHash, signedFor])) })
    op.signature = concat([claim ? '0x02' : '0x00', session.sessionKey, session.salt, rsv, ...(claim ? [claim] : [])])
    return op
  }
  // Earlier operations go to the chain first: both sides then judge with the counters they left.
  let sentBefore = 0
  for (let i = 0; i < c.repeat; i++) {
    try {
      await handleUserOperation(f.client, { userOperation: await signed(), beneficiary: f.client.account.address })
      sentBefore++
    } catch {
      // refused (or reverted): nothing counted, or counted and reverted; the chain knows
    }
  }
  const userOperation = await signed()

  let chainError: unknown
  try {
    await f.client.simulateContract({
      address: entryPointAddress,
      abi: entryPoint07Abi,
      functionName: 'handleOps',
      args: [[toPackedUserOperation(userOperation)], f.client.account.address],
      account: f.client.account,
      blockTag: 'pending',
    })
  } catch (error) {
    const rejection = findEntryPointRejection(error)
    const pending = Number((await f.client.getBlock({ blockTag: 'pending' })).timestamp)
    chainError = rejection ? fromEntryPointRejection(rejection, { session, now: pending, cause: error }) : error
  }

  // The real pre-flight check, as a dapp runs it: counters read from chain, the operation
  // itself (gas fields, paymaster), the time of the next block.
  let sdkError: unknown
  try {
    await preflight(f.client, { session, userOperation })
  } catch (error) {
    sdkError = error
  }
  return {
    chain: verdict(chainError),
    sdk: verdict(sdkError),
    detail: `after ${sentBefore} earlier operation(s); callData ${callData}`,
  }
}

function toPermissionInput(p: PermissionSpec, target: Address | 'any', now: number): PermissionInput {
  const methods = p.methods.map((m) => selectors[m])
  const rule =
    p.rule && methods.includes(selectors.ping)
      ? [
          {
            method: 'ping(uint256 number)',
            arg: 'number',
            condition: p.rule.condition,
            value: p.rule.condition === 'oneOf' ? p.rule.values : p.rule.values[0],
          },
        ]
      : p.rule && methods.includes(selectors.transfer) && p.rule.condition !== 'oneOf'
        ? [
            {
              method: 'transfer(address to, uint256 amount)',
              arg: 'amount',
              condition: p.rule.condition,
              value: p.rule.values[0],
            },
          ]
        : undefined
  const markRules = (p.markRules ?? []).map((r) => ({
    method: 'mark(address who, uint8 level, bool on)',
    arg: r.arg,
    // Order and sums apply to the number only: on the address and the bool they become eq.
    condition: r.arg === 'level' || !['lte', 'gte', 'sumLte'].includes(r.condition) ? r.condition : 'eq',
    value: ruleValue(r),
  }))
  const rules = [...(rule ?? []), ...markRules]
  return {
    whitelistDestination: target,
    whitelistMethods: methods,
    ...(p.tokenLimit === undefined ? {} : { tokenAmount: p.tokenLimit }),
    ...(p.valueLimit === undefined ? {} : { valueLimit: p.valueLimit }),
    ...(p.maxUses === undefined ? {} : { maxUses: p.maxUses }),
    ...(rules.length > 0 ? { rules } : {}),
    ...(p.recurring === undefined
      ? {}
      : {
          recurring: {
            period: p.recurring.period,
            start: now - p.recurring.elapsed,
            tokenAmount: p.recurring.tokenLimit,
            valueLimit: p.recurring.valueLimit,
            maxUses: p.recurring.maxUses,
          },
        }),
    allowTryMode: p.allowTryMode,
    allowDelegatecall: p.allowDelegatecall,
    allowEmptyCalldata: p.allowEmptyCalldata,
  }
}

/** The value of a rule on `mark`: `who` is one of two known addresses, `on` a bool, `level` a number. */
function ruleValue(r: MarkRule): unknown {
  const pick = (n: number) => (r.arg === 'who' ? markAddresses[n % 2] : r.arg === 'on' ? n % 2 === 1 : n)
  return r.condition === 'oneOf' ? [pick(r.value), pick(r.value + 1)] : pick(r.value)
}

const markAddresses = [
  '0x000000000000000000000000000000000000bEEF',
  '0x000000000000000000000000000000000000dEaD',
] as const

function buildCallData(f: Fixture, c: Case): Hex {
  const targets: Record<CallSpec['target'], Address> = {
    token: f.token,
    otherToken: f.otherToken,
    target: f.target,
    account: f.account,
    module: sessionKeyValidatorAddress,
    zero: '0x0000000000000000000000000000000000000000',
    stranger: '0x000000000000000000000000000000000000bEEF',
  }
  const data = (call: CallSpec): Hex => {
    switch (call.kind) {
      case 'transfer':
        return encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [f.recipient, call.amount] })
      case 'approve':
        return encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [f.recipient, call.amount] })
      case 'transferFrom':
        return encodeFunctionData({
          abi: testTokenAbi,
          functionName: 'transferFrom',
          args: [f.account, f.recipient, call.amount],
        })
      case 'ping':
        return encodeFunctionData({ abi: testTargetAbi, functionName: 'ping', args: [call.amount] })
      case 'poke':
        return encodeFunctionData({ abi: testTargetAbi, functionName: 'poke' })
      case 'mark': {
        const n = Number(call.amount % 8n)
        return encodeFunctionData({
          abi: testTargetAbi,
          functionName: 'mark',
          args: [markAddresses[n % 2], n % 6, n % 3 === 1],
        })
      }
      case 'empty':
        return '0x'
      case 'short':
        return '0xa905'
      case 'random':
        // Truly random bytes, after a selector of the session half the time.
        return call.amount % 2n === 0n ? toHex(call.noise) : concat(['0xa9059cbb', toHex(call.noise)])
      case 'dirty':
        return concat(['0xa9059cbb', `0xff${'00'.repeat(11)}`, f.recipient, pad(numberToHex(call.amount))])
    }
  }
  const calls = c.mode === 'single' || c.mode === 'delegate' ? c.calls.slice(0, 1) : c.calls
  const mode: Hex = {
    single: `0x${'00'.repeat(32)}`,
    batch: `0x01${'00'.repeat(31)}`,
    try: `0x0101${'00'.repeat(30)}`,
    delegate: `0xff${'00'.repeat(31)}`,
    dirty: `0x00${'00'.repeat(30)}07`,
  }[c.mode] as Hex
  const exec =
    c.mode === 'single' || c.mode === 'dirty'
      ? concat([targets[calls[0].target], pad(numberToHex(calls[0].value)), data(calls[0])])
      : c.mode === 'delegate'
        ? concat([targets[calls[0].target], data(calls[0])])
        : encodeAbiParameters(
            [{ type: 'tuple[]', components: [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }] }],
            [calls.map((call) => [targets[call.target], call.value, data(call)] as const)],
          )
  let callData = encodeFunctionData({
    abi: accountCallsAbi,
    functionName: 'execute',
    args: [mode, exec],
  })
  if (c.mutation === 'offset')
    callData = concat([callData.slice(0, 74) as Hex, pad('0x60'), `0x${callData.slice(138)}`])
  if (c.mutation === 'trailing') callData = concat([callData, pad('0x01')])
  // Inside a batch: the first element's offset moved by one word.
  if (c.mutation === 'element' && (c.mode === 'batch' || c.mode === 'try')) {
    const at = 2 + 164 * 2
    const bent = BigInt(`0x${callData.slice(at, at + 64)}`) + 32n
    callData = `${callData.slice(0, at)}${bent.toString(16).padStart(64, '0')}${callData.slice(at + 64)}` as Hex
  }
  if (c.mutation === 'length')
    callData = concat([callData.slice(0, 138) as Hex, pad(numberToHex(maxUint256 >> 200n)), `0x${callData.slice(202)}`])
  return callData
}

export { fc }
