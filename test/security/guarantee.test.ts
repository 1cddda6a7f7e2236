/**
 * The guarantee against a hostile dapp, bundler or handleOps caller, with every default
 * (issue 9). Each hole has a test named after it; every refusal is forced to the chain
 * (a raw handleOps transaction, past the SDK's own checks) and proven by reading back ETH
 * and token balances, the session's counters, the account's nonce and EntryPoint deposit.
 */

import assert from 'node:assert/strict'
import { before, beforeEach, describe, it } from 'node:test'
import {
  type Address,
  concat,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  type Hex,
  hashTypedData,
  keccak256,
  maxUint256,
  parseEther,
  sliceHex,
  toFunctionSelector,
} from 'viem'
import {
  entryPoint07Abi,
  getUserOperationHash,
  toPackedUserOperation,
  type UserOperation,
} from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { signTypedData as signTypedData7739 } from 'viem/experimental/erc7739'
import { sessionAccountAbi } from '../../src/abis.js'
import { prepareUserOperation07, testTargetAbi } from '../../src/devnet/index.js'
import { acceptAllValidatorAbi, acceptAllValidatorBytecode } from '../../src/generated/testContracts.js'
import {
  CallNotPermittedError,
  defaultGasBudget,
  defineSession,
  describeSession,
  encodeGrant,
  entryPointAddress,
  findEntryPointRejection,
  fromEntryPointRejection,
  generateSessionKey,
  getGrantSessionCalls,
  getRevokeAllSessionsCalls,
  getRevokeSessionCalls,
  getSessionGrantTypedData,
  getSetSessionEnabledCalls,
  InvalidParameterError,
  InvalidSessionSignatureError,
  preflight,
  type Session,
  type SessionConfigStruct,
  SessionExpiredError,
  type SessionGrant,
  SessionGrantEpochInvalidError,
  SessionGrantExpiredError,
  SessionNotFoundError,
  SessionRevokedError,
  SpendingLimitExceededError,
  sessionAccountVerifierDomain,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  signSessionGrant,
  toSessionConfig,
  toSessionKeyAccount,
  UnsafeUserOperationGasError,
  UntrustedModuleError,
  UserOperationFailedError,
} from '../../src/index.js'
import { createFixture, type Fixture, tusd } from '../helpers/fixture.js'

let f: Fixture
before(async () => {
  f = await createFixture()
})
beforeEach(async () => {
  await f.reset()
})

const attacker = privateKeyToAccount(generatePrivateKey()).address
const readmePermission = () => ({
  whitelistDestination: f.token,
  whitelistMethods: ['transfer(address,uint256)'],
  tokenAmount: tusd(1000),
})

/** Everything a refusal must leave as it was. */
async function snapshotState(session?: Session) {
  const nonceKey = BigInt(sessionKeyValidatorAddress) << 32n
  const [eth, attackerEth, tokens, recipientTokens, attackerTokens, deposit, sessionNonce, ownerNonce] =
    await Promise.all([
      f.client.getBalance({ address: f.account }),
      f.client.getBalance({ address: attacker }),
      f.balanceOf(f.account),
      f.balanceOf(f.recipient),
      f.balanceOf(attacker),
      f.client.readContract({
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'balanceOf',
        args: [f.account],
      }),
      f.client.readContract({
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'getNonce',
        args: [f.account, nonceKey],
      }),
      f.client.readContract({
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'getNonce',
        args: [f.account, 0n],
      }),
    ])
  const counters = session
    ? await Promise.all([
        f.client.readContract({
          address: sessionKeyValidatorAddress,
          abi: sessionKeyValidatorAbi,
          functionName: 'getSession',
          args: [f.account, session.id],
        }),
        f.client.readContract({
          address: sessionKeyValidatorAddress,
          abi: sessionKeyValidatorAbi,
          functionName: 'getGasLeft',
          args: [f.account, session.id],
        }),
        ...session.permissions.map((p) =>
          f.client.readContract({
            address: sessionKeyValidatorAddress,
            abi: sessionKeyValidatorAbi,
            functionName: 'getTargetUsage',
            args: [f.account, session.id, p.target],
          }),
        ),
      ])
    : []
  return { eth, attackerEth, tokens, recipientTokens, attackerTokens, deposit, sessionNonce, ownerNonce, counters }
}

/**
 * Signs a session-key operation the way an attacker holding the key would: straight from the
 * key, with no SDK check. `grant` puts it in the "enable" form.
 */
async function signAsKey(
  privateKey: Hex,
  session: Session,
  userOperation: UserOperation<'0.7'>,
  grant?: { data: Hex; digest: Hex },
): Promise<Hex> {
  const hash = getUserOperationHash({
    userOperation: { ...userOperation, signature: '0x' },
    entryPointAddress,
    entryPointVersion: '0.7',
    chainId: f.devnet.chain.id,
  })
  const signedFor = grant ? keccak256(concat([session.id, grant.digest])) : session.id
  const rsv = await privateKeyToAccount(privateKey).sign({ hash: keccak256(concat([hash, signedFor])) })
  return grant
    ? concat(['0x01', session.sessionKey, session.salt, rsv, grant.data])
    : concat(['0x00', session.sessionKey, session.salt, rsv])
}

/**
 * Puts a signed operation on chain with a raw handleOps transaction from `from` (fixed gas,
 * no simulation first), checks that the transaction reverted, and returns the exact error
 * the EntryPoint gives for it (from a simulation of the same call).
 */
async function forceOnChain(
  userOperation: UserOperation<'0.7'>,
  session: Session,
  beneficiary: Address = attacker,
  enableBefore?: number,
) {
  const request = {
    address: entryPointAddress,
    abi: entryPoint07Abi,
    functionName: 'handleOps',
    args: [[toPackedUserOperation(userOperation)], beneficiary],
    account: f.client.account,
    chain: f.client.chain,
  } as const
  let error: unknown
  try {
    await f.client.simulateContract({ ...request, blockTag: 'pending' })
  } catch (e) {
    const rejection = findEntryPointRejection(e)
    const now = Number((await f.client.getBlock({ blockTag: 'pending' })).timestamp)
    error = rejection ? fromEntryPointRejection(rejection, { session, now, enableBefore, cause: e }) : e
  }
  // The node mines the reverting transaction (and reports the revert): read its receipt.
  const sentFrom = await f.client.getBlockNumber()
  await f.client.writeContract({ ...request, gas: 8_000_000n }).catch(() => undefined)
  const block = await f.client.getBlock({ blockNumber: sentFrom + 1n })
  assert.equal(block.transactions.length, 1, 'the handleOps transaction was mined')
  const receipt = await f.client.getTransactionReceipt({ hash: block.transactions[0] })
  assert.equal(receipt.status, 'reverted', 'the handleOps transaction reverted on chain')
  return error
}

/** The owner sends createSession with a config built by hand, past the SDK's checks. */
const createByHand = (config: SessionConfigStruct) =>
  f.send(f.ownerAccount, [
    {
      to: sessionKeyValidatorAddress,
      data: encodeFunctionData({ abi: sessionKeyValidatorAbi, functionName: 'createSession', args: [config] }),
    },
  ])

/** Grants a session on chain through the owner; returns it with its key. */
async function grantOnChain(extra: Partial<Parameters<typeof defineSession>[0]> = {}) {
  const now = await f.devnet.now()
  const key = generateSessionKey()
  const session = defineSession({
    account: f.account,
    chainId: f.devnet.chain.id,
    sessionKey: key.address,
    permissions: [readmePermission()],
    validity: { endTimestamp: now + 3600 },
    now,
    ...extra,
  })
  await f.send(f.ownerAccount, await getGrantSessionCalls(f.client, { session }))
  return { session, key }
}

describe('hole 1: the wallet side treats the dapp-built session as hostile', () => {
  it('hole 1: a session naming a module of the dapp is refused by describe, grant, sign and revoke', async () => {
    const hash = await f.client.deployContract({
      abi: acceptAllValidatorAbi,
      bytecode: acceptAllValidatorBytecode,
      account: f.client.account,
      chain: f.client.chain,
    })
    const evil = getAddress((await f.client.waitForTransactionReceipt({ hash })).contractAddress as Address)
    const now = await f.devnet.now()
    const session = defineSession({
      account: f.account,
      chainId: f.devnet.chain.id,
      sessionKey: generateSessionKey().address,
      module: evil,
      permissions: [readmePermission()],
      validity: { endTimestamp: now + 3600 },
      now,
    })
    const before = await snapshotState()
    const untrusted = (e: unknown) => e instanceof UntrustedModuleError && e.module.toLowerCase() === evil.toLowerCase()
    await assert.rejects(describeSession(f.client, { session: session }), untrusted)
    await assert.rejects(getGrantSessionCalls(f.client, { session }), untrusted)
    await assert.rejects(signSessionGrant(f.client, { session, owner: f.owner }), untrusted)
    assert.throws(() => getSessionGrantTypedData({ session, epoch: 0n, enableBefore: now + 60 }), untrusted)
    assert.throws(() => getRevokeSessionCalls({ session }), untrusted)
    assert.throws(() => getSetSessionEnabledCalls({ session, enabled: true }), untrusted)
    // Nothing was installed, nothing moved.
    const installed = await f.client.readContract({
      address: f.account,
      abi: sessionAccountAbi,
      functionName: 'isModuleInstalled',
      args: [1n, evil, '0x'],
    })
    assert.equal(installed, false)
    assert.deepEqual(await snapshotState(), before)
    // An explicit opt-in shows the module first, as a warning.
    const { lines, warnings } = await describeSession(f.client, { session: session, allowUnknownModule: true })
    assert.match(lines[0], new RegExp(`^⚠ Uses the module ${evil}, not the session-keys validator`))
    assert.equal(warnings[0], lines[0])
  })

  it('hole 1: hostile fields are refused (lying labels, forbidden targets, missing gas bound) and every field is shown', async () => {
    const now = await f.devnet.now()
    const session = defineSession({
      account: f.account,
      chainId: f.devnet.chain.id,
      sessionKey: generateSessionKey().address,
      permissions: [
        {
          ...readmePermission(),
          rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'amount', condition: 'lte', value: tusd(10) }],
        },
      ],
      validity: { endTimestamp: now + 3600 },
      now,
    })
    // Every wallet-side function refuses each hostile session, naming the field.
    const walletSide = [
      (s: Session) => describeSession(f.client, { session: s }),
      (s: Session) => getGrantSessionCalls(f.client, { session: s }),
      (s: Session) => signSessionGrant(f.client, { session: s, owner: f.owner }),
      async (s: Session) => getSessionGrantTypedData({ session: s, epoch: 0n, enableBefore: now + 60 }),
      async (s: Session) => getRevokeSessionCalls({ session: s }),
      async (s: Session) => getSetSessionEnabledCalls({ session: s, enabled: true }),
    ]
    const refuse = async (hostile: unknown, field: string) => {
      for (const walletFunction of walletSide) {
        await assert.rejects(
          walletFunction(hostile as Session),
          (e: unknown) => e instanceof InvalidParameterError && e.field === field,
          `${walletFunction.toString().slice(0, 60)} refuses ${field}`,
        )
      }
    }
    const [p] = session.permissions
    // A label that names another function than the selector granted.
    await refuse(
      { ...session, permissions: [{ ...p, methods: ['balanceOf(address)'] }] },
      'session.permissions[0].methods[0]',
    )
    // A rule whose label says "to" while it checks the amount word.
    const rule = p.rules?.[0]
    await refuse(
      { ...session, permissions: [{ ...p, rules: [{ ...rule, arg: 'to', type: 'address', bits: 160 }] }] },
      'session.permissions[0].rules[0].method',
    )
    // The account or the module as a destination, a duplicate destination, no gas bound.
    await refuse({ ...session, permissions: [{ ...p, target: f.account }] }, 'session.permissions[0].target')
    await refuse({ ...session, permissions: [p, p] }, 'session.permissions[1].target')
    await refuse({ ...session, gasBudget: undefined }, 'session.gasBudget')
    await refuse({ ...session, sessionKey: f.account }, 'session.sessionKey')
    // A session for another account than the one the wallet manages.
    await assert.rejects(
      describeSession(f.client, { session: session, account: f.recipient }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'session.account',
    )
    await assert.rejects(
      signSessionGrant(f.client, { session, owner: f.owner, account: f.recipient }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'session.account',
    )
    await describeSession(f.client, { session: session, account: f.account })

    const { text } = await describeSession(f.client, { session: session })
    for (const shown of [
      f.account,
      `chain ${f.devnet.chain.id}`,
      session.sessionKey,
      sessionKeyValidatorAddress,
      'at most 1,000 TUSD in total',
      'Only if transfer(address,uint256): amount ≤ 10 TUSD',
      `Gas: at most 0.05 ETH in total`,
      'Pays its own gas (no paymaster)',
    ]) {
      assert.ok(text.includes(shown), `the description shows ${shown}:\n${text}`)
    }
  })
})

describe('hole 2: gas drain', () => {
  it("hole 2: the README's session (no gasBudget given) cannot drain ETH through gas, even calling handleOps itself", async () => {
    const { session, key } = await grantOnChain()
    assert.equal(session.gasBudget, defaultGasBudget)
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(tusd(1))]),
    })
    // 93.7 ETH in fees: a huge preVerificationGas at a huge fee, paid to the key's own address.
    userOperation.preVerificationGas = 900_000_000n
    userOperation.maxFeePerGas = 100_000_000_000n
    userOperation.maxPriorityFeePerGas = 100_000_000_000n
    // The SDK refuses to sign it...
    await assert.rejects(dapp.signUserOperation(userOperation), UnsafeUserOperationGasError)
    // ...and the chain refuses it signed by hand.
    userOperation.signature = await signAsKey(key.privateKey, session, userOperation)
    const before = await snapshotState(session)
    const error = await forceOnChain(userOperation, session)
    assert.ok(error instanceof CallNotPermittedError && error.rule === 'gas-budget', String(error))
    assert.deepEqual(await snapshotState(session), before)
  })

  it('hole 2: within the budget the key can spend at most the budget on gas, whatever the fee it signs', async () => {
    const budget = parseEther('0.01')
    const { session, key } = await grantOnChain({ gasBudget: budget })
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    const callData = await dapp.encodeCalls([f.transfer(tusd(1))])
    const gasLeft = () =>
      f.client.readContract({
        address: sessionKeyValidatorAddress,
        abi: sessionKeyValidatorAbi,
        functionName: 'getGasLeft',
        args: [f.account, session.id],
      })
    /** An operation whose maximum cost is `gas × fee`, signed by the key, sent past the SDK. */
    const withFee = async (fee: (gas: bigint) => bigint) => {
      const op = await prepareUserOperation07(f.client, { account: dapp, callData })
      const gas = op.verificationGasLimit + op.callGasLimit + op.preVerificationGas
      op.maxFeePerGas = fee(gas)
      op.maxPriorityFeePerGas = op.maxFeePerGas
      op.signature = await signAsKey(key.privateKey, session, op)
      return { op, cost: gas * op.maxFeePerGas, gas }
    }
    const send = (op: UserOperation<'0.7'>) =>
      f.client.writeContract({
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'handleOps',
        args: [[toPackedUserOperation(op)], attacker],
        account: f.client.account,
        chain: f.client.chain,
        gas: 8_000_000n,
      })
    const ethBefore = await f.client.getBalance({ address: f.account })
    // Half the budget, then one wei-per-gas over what is left (refused), then all that is left.
    const first = await withFee((gas) => budget / 2n / gas)
    await send(first.op)
    const left = await gasLeft()
    assert.equal(left, budget - first.cost)
    const over = await withFee((gas) => left / gas + 1n)
    assert.ok(over.cost > left && over.cost <= left + over.gas)
    const before = await snapshotState(session)
    const error = await forceOnChain(over.op, session)
    assert.ok(error instanceof CallNotPermittedError && error.rule === 'gas-budget', String(error))
    assert.deepEqual(await snapshotState(session), before)
    const rest = await withFee((gas) => left / gas)
    await send(rest.op)
    assert.equal(await gasLeft(), left - rest.cost)
    const paid = ethBefore - (await f.client.getBalance({ address: f.account }))
    assert.ok(paid > 0n && paid <= budget, `paid ${paid} wei, budget ${budget}`)
    assert.equal(await f.balanceOf(f.recipient), tusd(2), 'both operations within the budget ran')
  })

  it('hole 2: an inflated bundler estimate is refused before signing (gas caps and the remaining budget)', async () => {
    const { session, key } = await grantOnChain({ gasBudget: parseEther('0.001') })
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    const honest = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(tusd(1))]),
      gas: { verificationGasLimit: 200_000n, callGasLimit: 100_000n, preVerificationGas: 50_000n },
    })
    await dapp.signUserOperation(honest)
    const inflated = [
      { preVerificationGas: 60_000_000n },
      { verificationGasLimit: 30_000_000n },
      { callGasLimit: 60_000_000n },
      { maxFeePerGas: honest.maxFeePerGas * 100n, maxPriorityFeePerGas: 1n },
      { maxPriorityFeePerGas: honest.maxFeePerGas + 1n },
    ]
    for (const change of inflated) {
      await assert.rejects(
        dapp.signUserOperation({ ...honest, ...change }),
        (e: unknown) => e instanceof UnsafeUserOperationGasError && e.field === Object.keys(change)[0],
      )
    }
    // Within the caps but over what is left of the budget: the chain's refusal, predicted.
    await assert.rejects(
      dapp.signUserOperation({ ...honest, preVerificationGas: 1_900_000n }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'gas-budget',
    )
  })

  it('hole 2: no session exists on chain without a bound; unlimited is recorded as such and shown as a warning', async () => {
    const { session } = await grantOnChain({ gasBudget: 'unlimited' })
    const left = await f.client.readContract({
      address: sessionKeyValidatorAddress,
      abi: sessionKeyValidatorAbi,
      functionName: 'getGasLeft',
      args: [f.account, session.id],
    })
    assert.equal(left, maxUint256)
    const { warnings } = await describeSession(f.client, { session: session })
    assert.deepEqual(warnings, ["⚠ No gas budget: the key may spend the account's ETH on gas without limit"])
    // A budget the module cannot store is refused, never widened to "none".
    const config = { ...toSessionConfig({ ...session, gasBudget: 1n }), salt: `0x${'07'.repeat(32)}` as Hex }
    await assert.rejects(
      createByHand({ ...config, gasBudget: 2n ** 104n }),
      (e: unknown) =>
        e instanceof UserOperationFailedError &&
        e.revertData?.startsWith(toFunctionSelector('SessionLimitTooLarge(address,uint256)')) === true,
    )
  })
})

/** The owner signs a grant with no SDK check (as a careless or tricked wallet might). */
async function signRawGrant(session: Session, epoch: bigint, enableBefore: number): Promise<SessionGrant> {
  const typedData = getSessionGrantTypedData({ session, epoch, enableBefore })
  const signature = await signTypedData7739(f.client, {
    account: f.owner,
    ...typedData,
    verifierDomain: sessionAccountVerifierDomain(session),
  } as never)
  return { epoch, enableBefore, signature }
}

async function offchainSession(tokenAmount = tusd(1000), salt?: Hex) {
  const now = await f.devnet.now()
  const key = generateSessionKey()
  const session = defineSession({
    account: f.account,
    chainId: f.devnet.chain.id,
    sessionKey: key.address,
    permissions: [{ ...readmePermission(), tokenAmount }],
    validity: { endTimestamp: now + 3600 },
    now,
    ...(salt ? { salt } : {}),
  })
  return { session, key, now }
}

const epochOf = () =>
  f.client.readContract({
    address: sessionKeyValidatorAddress,
    abi: sessionKeyValidatorAbi,
    functionName: 'getEpoch',
    args: [f.account],
  })

describe('hole 3: dormant grants', () => {
  it('hole 3: a grant signed ahead for the epoch after revoke-all never wakes up', async () => {
    const { session, key, now } = await offchainSession()
    const current = await epochOf()
    // Every guess a dapp could make of the next epoch under the old scheme, and the count bits.
    const guesses = [current + 1n, ((current >> 96n) + 1n) << 96n]
    const grants = await Promise.all(guesses.map((epoch) => signRawGrant(session, epoch, now + 600)))
    await f.send(f.ownerAccount, getRevokeAllSessionsCalls())
    const next = await epochOf()
    assert.equal(next >> 96n, (current >> 96n) + 1n, 'the revocation count went up by one')
    assert.ok(!guesses.includes(next), 'the new epoch is none of the guesses')
    for (const grant of grants) {
      const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
      await assert.rejects(f.sendChecked(dapp, [f.transfer(tusd(1000))]), SessionGrantEpochInvalidError)
      const userOperation = await prepareUserOperation07(f.client, {
        account: dapp,
        callData: await dapp.encodeCalls([f.transfer(tusd(1000))]),
      })
      const digest = hashTypedData(
        getSessionGrantTypedData({ session, epoch: grant.epoch, enableBefore: grant.enableBefore }),
      )
      userOperation.signature = await signAsKey(key.privateKey, session, userOperation, {
        data: encodeGrant(session, grant),
        digest,
      })
      const before = await snapshotState(session)
      const error = await forceOnChain(userOperation, session)
      assert.ok(error instanceof SessionGrantEpochInvalidError && error.currentEpoch === next, String(error))
      assert.deepEqual(await snapshotState(session), before)
    }
  })

  it('hole 3: uninstalling and reinstalling the module does not wake a grant either', async () => {
    const { session, key, now } = await offchainSession(tusd(500))
    const grant = await signRawGrant(session, (await epochOf()) + 1n, now + 600)
    const moduleCall = (functionName: 'uninstallModule' | 'installModule') => ({
      to: f.account,
      data: encodeFunctionData({
        abi: sessionAccountAbi,
        functionName,
        args: [1n, sessionKeyValidatorAddress, '0x'],
      }),
    })
    await f.send(f.ownerAccount, [moduleCall('uninstallModule')])
    await f.send(f.ownerAccount, [moduleCall('installModule')])
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    const before = await snapshotState(session)
    await assert.rejects(f.send(dapp, [f.transfer(tusd(500))]), SessionGrantEpochInvalidError)
    assert.deepEqual(await snapshotState(session), before)
  })

  it('hole 3: the SDK signs grants only for the current state, with a deadline the EntryPoint enforces', async () => {
    const { session, key, now } = await offchainSession()
    await assert.rejects(
      signSessionGrant(f.client, { session, owner: f.owner, epoch: 1n } as never),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'epoch',
    )
    const grant = await signSessionGrant(f.client, { session, owner: f.owner, enableBefore: now + 60 })
    assert.equal(grant.epoch, await epochOf())
    await f.devnet.increaseTime(120)
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey, grant })
    await assert.rejects(f.sendChecked(dapp, [f.transfer(tusd(1))]), SessionGrantExpiredError)
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(tusd(1))]),
    })
    userOperation.signature = await dapp.signUserOperation(userOperation)
    const before = await snapshotState(session)
    const error = await forceOnChain(userOperation, session, attacker, grant.enableBefore)
    assert.ok(error instanceof SessionGrantExpiredError, String(error))
    assert.deepEqual(await snapshotState(session), before)
    // A session already on chain is refused too: nothing to sign for.
    const onChain = await grantOnChain()
    await assert.rejects(
      signSessionGrant(f.client, { session: onChain.session, owner: f.owner }),
      (e: unknown) => e instanceof InvalidParameterError && e.field === 'session.id',
    )
  })
})

describe('hole 4: the session key signs the grant it carries', () => {
  it('hole 4: whoever submits the operation cannot swap in another grant of the same key and salt', async () => {
    const salt = `0x${'44'.repeat(32)}` as Hex
    const small = await offchainSession(tusd(10), salt)
    const wide = {
      ...small.session,
      permissions: [{ ...small.session.permissions[0], tokenLimit: tusd(1_000_000) }],
    }
    const grantSmall = await signSessionGrant(f.client, { session: small.session, owner: f.owner })
    const grantWide = await signSessionGrant(f.client, { session: wide, owner: f.owner })
    const dapp = await toSessionKeyAccount({
      client: f.client,
      session: small.session,
      sessionKey: small.key.privateKey,
      grant: grantSmall,
    })
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(tusd(5))]),
    })
    const signed = await dapp.signUserOperation(userOperation)
    // The bundler keeps the key's signature and swaps the grant for the wide one.
    userOperation.signature = concat([sliceHex(signed, 0, 118), encodeGrant(wide, grantWide)])
    const before = await snapshotState(small.session)
    const error = await forceOnChain(userOperation, small.session)
    assert.ok(error instanceof InvalidSessionSignatureError, String(error))
    assert.deepEqual(await snapshotState(small.session), before)
    // The operation as signed goes through, with the small limit.
    await f.sendChecked(dapp, [f.transfer(tusd(5))])
    assert.equal(await f.spent(small.session), tusd(5))
    await assert.rejects(
      f.send(dapp, [f.transfer(tusd(6))]),
      (e: unknown) =>
        e instanceof SpendingLimitExceededError &&
        e.limit === tusd(10) &&
        e.spent === tusd(5) &&
        // The chain's refusal, stated in the token's units like the pre-flight check's.
        /over the limit of 10 TUSD/.test(e.shortMessage),
    )
  })
})

describe('hole 6: a token limit the chain cannot enforce', () => {
  it('hole 6: transferAndCall beside a token limit is refused by the SDK and by the module', async () => {
    const permission = {
      whitelistDestination: f.token,
      whitelistMethods: ['transfer(address,uint256)', 'transferAndCall(address,uint256,bytes)'],
      tokenAmount: tusd(1000),
    }
    const now = await f.devnet.now()
    const key = generateSessionKey()
    const base = {
      account: f.account,
      chainId: f.devnet.chain.id,
      sessionKey: key.address,
      validity: { endTimestamp: now + 3600 },
      now,
    }
    assert.throws(
      () => defineSession({ ...base, permissions: [permission] }),
      (e: unknown) =>
        e instanceof InvalidParameterError &&
        e.field === 'permissions[0].tokenAmount' &&
        /transferAndCall\(address,uint256,bytes\) could move tokens uncounted/.test(e.message),
    )
    // Built by hand and sent by the owner: the module refuses to create it.
    const session = defineSession({ ...base, permissions: [{ ...permission, tokenAmount: undefined }] })
    const config = toSessionConfig(session)
    const before = await snapshotState(session)
    await assert.rejects(
      createByHand({ ...config, permissions: [{ ...config.permissions[0], tokenLimit: tusd(1000) }] }),
      (e: unknown) =>
        e instanceof UserOperationFailedError &&
        e.revertData?.startsWith(toFunctionSelector('SessionTokenLimitUncountable(address,bytes4)')) === true,
    )
    const after = await snapshotState(session)
    assert.deepEqual({ ...after, ownerNonce: before.ownerNonce, eth: before.eth, deposit: before.deposit }, before)
    assert.equal(after.counters[0]?.[3], false, 'no session was created')
    // Without a limit, the description says the amount is unlimited.
    const { warnings } = await describeSession(f.client, { session: session })
    assert.ok(
      warnings.some((w) => w.startsWith('⚠ No limit on the amount of Test USD')),
      warnings.join('\n'),
    )
  })
})

describe('the pre-flight check agrees with the chain', () => {
  it('judges the window at the next block: latest == validUntil is already expired', async () => {
    const now = await f.devnet.now()
    const { session, key } = await grantOnChain({ validity: { endTimestamp: now + 100 } })
    await f.client.setNextBlockTimestamp({ timestamp: BigInt(session.validUntil) })
    await f.client.mine({ blocks: 1 })
    assert.equal(await f.devnet.now(), session.validUntil)
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    const { validatedAt } = await preflight(f.client, { session, calls: [f.transfer(1n)], maxCost: 0n }).catch(
      (e: unknown) => {
        assert.ok(e instanceof SessionExpiredError, String(e))
        return { validatedAt: undefined }
      },
    )
    assert.equal(validatedAt, undefined, 'the pre-flight check refused it')
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(1n)]),
    })
    userOperation.signature = await dapp.signUserOperation(userOperation)
    const error = await forceOnChain(userOperation, session)
    assert.ok(error instanceof SessionExpiredError, String(error))
  })

  it('computes paymaster and gas budget from the user operation, and names an unknown session as the chain does', async () => {
    const { session, key } = await grantOnChain({ gasBudget: parseEther('0.001') })
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    const userOperation = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(1n)]),
    })
    userOperation.paymaster = f.target
    userOperation.paymasterVerificationGasLimit = 100_000n
    userOperation.paymasterPostOpGasLimit = 0n
    userOperation.paymasterData = '0x'
    await assert.rejects(
      preflight(f.client, { session, userOperation }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'paymaster',
    )
    await assert.rejects(
      preflight(f.client, { session, userOperation: { ...userOperation, paymaster: undefined } }),
      (e: unknown) => e instanceof CallNotPermittedError && e.rule === 'gas-budget',
    )
    // A session never granted: the chain says SessionNotFound, and so does the pre-flight check.
    const never = await offchainSession()
    await assert.rejects(
      preflight(f.client, { session: never.session, calls: [f.transfer(1n)], maxCost: 0n }),
      SessionNotFoundError,
    )
    const neverDapp = await toSessionKeyAccount({
      client: f.client,
      session: never.session,
      sessionKey: never.key.privateKey,
    })
    const op = await prepareUserOperation07(f.client, {
      account: neverDapp,
      callData: await neverDapp.encodeCalls([f.transfer(1n)]),
    })
    op.signature = await neverDapp.signUserOperation(op)
    assert.ok((await forceOnChain(op, never.session)) instanceof SessionNotFoundError)
  })
})

describe('what is not guaranteed, demonstrated', () => {
  it('limit: a permitted router holding an earlier allowance moves more than the token limit (and the wallet warns)', async () => {
    // The owner approved the router long before the session.
    await f.send(f.ownerAccount, [
      {
        to: f.token,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [f.target, tusd(5000)] }),
      },
    ])
    const now = await f.devnet.now()
    const key = generateSessionKey()
    const session = defineSession({
      account: f.account,
      chainId: f.devnet.chain.id,
      sessionKey: key.address,
      permissions: [
        { ...readmePermission(), tokenAmount: tusd(100) },
        { whitelistDestination: f.target, whitelistMethods: ['pull(address,address,address,uint256)'] },
      ],
      validity: { endTimestamp: now + 3600 },
      now,
    })
    const { warnings } = await describeSession(f.client, { session: session })
    assert.ok(
      warnings.some((w) =>
        /can already move 5,000 TUSD of 0x[0-9a-fA-F]{40} from the account .* the session's limit on that token does not bound it/.test(
          w,
        ),
      ),
      warnings.join('\n'),
    )
    await f.send(f.ownerAccount, await getGrantSessionCalls(f.client, { session }))
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    await f.sendChecked(dapp, [
      {
        to: f.target,
        data: encodeFunctionData({
          abi: testTargetAbi,
          functionName: 'pull',
          args: [f.token, f.account, f.recipient, tusd(5000)],
        }),
      },
    ])
    assert.equal(await f.balanceOf(f.recipient), tusd(5000), '5,000 moved under a 100 limit, through the router')
    assert.equal(await f.spent(session), 0n, 'the token limit counted nothing: the call was not on the token')
  })

  it('limit: a revocation applies to operations validated after it runs, not to a later operation of the same bundle', async () => {
    const { session, key } = await grantOnChain()
    const dapp = await toSessionKeyAccount({ client: f.client, session, sessionKey: key.privateKey })
    const revoke = await prepareUserOperation07(f.client, {
      account: f.ownerAccount,
      callData: await f.ownerAccount.encodeCalls(getRevokeSessionCalls({ session })),
    })
    revoke.signature = await f.ownerAccount.signUserOperation(revoke)
    const use = await prepareUserOperation07(f.client, {
      account: dapp,
      callData: await dapp.encodeCalls([f.transfer(tusd(7))]),
    })
    use.signature = await dapp.signUserOperation(use)
    // One bundle: both are validated first, then both execute — the revocation before the use.
    const hash = await f.client.writeContract({
      address: entryPointAddress,
      abi: entryPoint07Abi,
      functionName: 'handleOps',
      args: [[toPackedUserOperation(revoke), toPackedUserOperation(use)], attacker],
      account: f.client.account,
      chain: f.client.chain,
      gas: 8_000_000n,
    })
    assert.equal((await f.client.waitForTransactionReceipt({ hash })).status, 'success')
    assert.equal(await f.balanceOf(f.recipient), tusd(7), 'the operation validated before the revocation ran')
    await assert.rejects(f.send(dapp, [f.transfer(1n)]), SessionRevokedError)
  })
})
