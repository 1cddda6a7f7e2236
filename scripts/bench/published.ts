/**
 * The published scenario of alchemyplatform/aa-benchmarks, reproduced for our account and
 * module: each figure is `gasUsed` of a `handleOps` transaction carrying one operation, sent by
 * one EOA, with a separate beneficiary that the transaction has not touched (cold). Every
 * measurement starts from the same fresh fixture (a snapshot): the account is created through
 * the factory directly (a plain transaction, not a user operation), funded with 100 ETH and
 * 100 tokens. Operations carry callGasLimit 1,000,000, verificationGasLimit 2,000,000, both
 * fees 1 wei and the usual pre-verification gas formula (see {@link preVerificationGasOf}).
 */
import {
  type Address,
  type Call,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  hexToBytes,
  pad,
  parseEther,
  parseUnits,
  serializeTransaction,
  size,
  slice,
  type Transaction,
  toBytes,
} from 'viem'
import { entryPoint07Abi, type SmartAccount, toPackedUserOperation, type UserOperation } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { sessionAccountFactoryAbi } from '../../src/abis.js'
import { type Devnet, handleUserOperation, mintTestToken, testTokenAbi } from '../../src/devnet/index.js'
import {
  defineSession,
  getGrantSessionCalls,
  type PermissionInput,
  sessionAccountFactoryAddress,
  toOwnerAccount,
  toSessionKeyAccount,
} from '../../src/index.js'

const handleOps = entryPoint07Abi.find((item) => item.type === 'function' && item.name === 'handleOps')
if (handleOps?.type !== 'function') throw new Error('viem’s EntryPoint v0.7 ABI lacks handleOps')
const packedUserOperationType = handleOps.inputs[0].components

/**
 * Pre-verification gas as the reference SDK computes it (@account-abstraction/sdk
 * calcPreVerificationGas): the ABI-encoded operation with its stub signature, 4 per zero byte
 * and 16 per other byte, plus 21,000 for a one-operation bundle, 18,300 per operation and 4 per
 * 32-byte word.
 */
export function preVerificationGasOf(userOperation: UserOperation<'0.7'>): bigint {
  const encoded = toBytes(
    encodeAbiParameters(
      [{ type: 'tuple', components: packedUserOperationType }],
      [toPackedUserOperation({ ...userOperation, preVerificationGas: 21_000n })],
    ),
  )
  let calldata = 0
  for (const byte of encoded) calldata += byte === 0 ? 4 : 16
  return BigInt(calldata + 21_000 + 18_300 + 4 * Math.ceil(encoded.length / 32))
}

/** A measured `handleOps` transaction: its gas and its bytes (the L1 data a rollup posts). */
export type Measured = {
  transactionHash: Hex
  gasUsed: bigint
  /** Bytes of the handleOps calldata. */
  calldataBytes: number
  /**
   * L1 data gas of the signed transaction as OP Stack's GasPriceOracle counts it before
   * Fjord (and as the published benchmark reports it): 4 per zero byte, 16 per other byte of
   * the serialized transaction, plus 68 × 16 for its signature and envelope.
   */
  l1Gas: bigint
}

/** Gas fields of the published scenario. */
export const publishedGasFields = {
  callGasLimit: 1_000_000n,
  verificationGasLimit: 2_000_000n,
  maxFeePerGas: 1n,
  maxPriorityFeePerGas: 1n,
} as const

/** Builds, signs and sends one operation the published way; fails unless the operation succeeds. */
export async function sendPublished(
  devnet: Devnet,
  account: SmartAccount,
  calls: readonly Call[],
  beneficiary: Address,
): Promise<Measured> {
  const userOperation: UserOperation<'0.7'> = {
    sender: account.address,
    nonce: await account.getNonce(),
    callData: await account.encodeCalls(calls),
    ...publishedGasFields,
    preVerificationGas: 0n,
    signature: await account.getStubSignature(),
  }
  userOperation.preVerificationGas = preVerificationGasOf(userOperation)
  userOperation.signature = await account.signUserOperation(userOperation)
  const { client } = devnet
  // Throws unless the operation executes successfully.
  const outcome = await handleUserOperation(client, { userOperation, beneficiary })
  const transaction = await client.getTransaction({ hash: outcome.transactionHash })
  return {
    transactionHash: outcome.transactionHash,
    gasUsed: outcome.transactionGasUsed,
    calldataBytes: size(transaction.input),
    l1Gas: l1GasOf(transaction),
  }
}

function l1GasOf(transaction: Transaction): bigint {
  const serialized = serializeTransaction(
    { ...transaction, data: transaction.input } as never,
    {
      r: transaction.r,
      s: transaction.s,
      v: transaction.v,
      yParity: transaction.yParity,
    } as never,
  )
  let gas = 68n * 16n
  for (const byte of hexToBytes(serialized)) gas += byte === 0 ? 4n : 16n
  return gas
}

/** A fixed salt shaped like the SDK's default (a 32-bit number in the low bytes). */
export const defaultShapedSalt = (key: Hex): Hex => pad(slice(key, 0, 4), { size: 32 })

export type PublishedScenarioParameters = {
  devnet: Devnet
  token: Address
  /** A fixed private key for a label, so that addresses and calldata are the same on every run. */
  fixedKey: (label: string) => Hex
  /** The session's validity end (fixed, for the same reason). */
  sessionEnd: number
  /** Called right after each measurement, before any snapshot is reverted (e.g. to trace it). */
  inspect?: ((name: keyof PublishedScenario, measured: Measured) => Promise<void>) | undefined
}

/** Figures of the published scenario (each from the same fresh fixture, by snapshot). */
export type PublishedScenario = {
  /** The account's first operation, recipient without a balance. */
  ownerErc20Transfer: Measured
  ownerErc20TransferSecond: Measured
  ownerErc20TransferSecondToHolder: Measured
  createSession: Measured
  /** First use, recipient without a balance: the published figure. */
  sessionErc20Transfer: Measured
  sessionErc20TransferToHolder: Measured
  sessionErc20TransferSecondUse: Measured
  sessionErc20TransferSecondUseToHolder: Measured
  /** The same session with a recipient `eq` rule, first use, recipient without a balance. */
  sessionErc20TransferEqRule: Measured
}

export async function measurePublishedScenario(parameters: PublishedScenarioParameters): Promise<PublishedScenario> {
  const { devnet, token, fixedKey, sessionEnd } = parameters
  const { client } = devnet
  const start = await devnet.snapshot()
  const address = (label: string) => privateKeyToAccount(fixedKey(label)).address
  const beneficiary = address('published beneficiary')
  const holder = address('published holder')
  const [empty1, empty2] = [address('published empty 1'), address('published empty 2')]
  const transfer = (to: Address): Call => ({
    to: token,
    data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [to, parseUnits('1', 18)] }),
  })

  const send = async (name: keyof PublishedScenario, from: SmartAccount, calls: readonly Call[]) => {
    const measured = await sendPublished(devnet, from, calls, beneficiary)
    await parameters.inspect?.(name, measured)
    return measured
  }

  // The fixture: an existing beneficiary and token holder, the account created by a plain
  // call to the factory, then funded with ETH and tokens.
  await devnet.fund(beneficiary, parseEther('1'))
  await mintTestToken(client, { token, to: holder, amount: 1n })
  const owner = privateKeyToAccount(fixedKey('published owner'))
  const salt = fixedKey('published salt')
  await client.waitForTransactionReceipt({
    hash: await client.writeContract({
      address: sessionAccountFactoryAddress,
      abi: sessionAccountFactoryAbi,
      functionName: 'createAccount',
      args: [owner.address, salt],
      account: client.account,
      chain: client.chain,
    }),
  })
  const account = await toOwnerAccount({ client, owner, salt })
  await devnet.fund(account.address, parseEther('100'))
  await mintTestToken(client, { token, to: account.address, amount: parseUnits('100', 18) })
  // A snapshot serves one revert: take it again after each.
  let fixture = await devnet.snapshot()
  const backToFixture = async () => {
    await devnet.revert(fixture)
    fixture = await devnet.snapshot()
  }

  const ownerErc20Transfer = await send('ownerErc20Transfer', account, [transfer(empty1)])
  const ownerUsed = await devnet.snapshot()
  const ownerErc20TransferSecond = await send('ownerErc20TransferSecond', account, [transfer(empty2)])
  await devnet.revert(ownerUsed)
  const ownerErc20TransferSecondToHolder = await send('ownerErc20TransferSecondToHolder', account, [transfer(holder)])
  await backToFixture()

  const permission: PermissionInput = {
    whitelistDestination: token,
    whitelistMethods: ['transfer(address,uint256)'],
    tokenAmount: parseUnits('1000', 18),
  }
  // One key and salt for both sessions below (each granted from the same fixture): the session
  // operations are then byte for byte the same, and only the eq rule differs.
  const sessionKey = fixedKey('published session key')
  const sessionSalt = defaultShapedSalt(fixedKey('published session salt'))
  const granted = async (name: keyof PublishedScenario, permissions: readonly PermissionInput[]) => {
    const session = defineSession({
      account: account.address,
      chainId: devnet.chain.id,
      sessionKey: privateKeyToAccount(sessionKey).address,
      permissions,
      validity: { endTimestamp: sessionEnd },
      salt: sessionSalt,
    })
    const created = await send(name, account, await getGrantSessionCalls(client, { session }))
    return { created, dapp: await toSessionKeyAccount({ client, session, sessionKey }) }
  }

  const { created: createSession, dapp } = await granted('createSession', [permission])
  const granted1 = await devnet.snapshot()
  const sessionErc20Transfer = await send('sessionErc20Transfer', dapp, [transfer(empty1)])
  const used1 = await devnet.snapshot()
  const sessionErc20TransferSecondUse = await send('sessionErc20TransferSecondUse', dapp, [transfer(empty2)])
  await devnet.revert(used1)
  const sessionErc20TransferSecondUseToHolder = await send('sessionErc20TransferSecondUseToHolder', dapp, [
    transfer(holder),
  ])
  await devnet.revert(granted1)
  const sessionErc20TransferToHolder = await send('sessionErc20TransferToHolder', dapp, [transfer(holder)])
  await backToFixture()

  const eq = await granted('createSession', [
    {
      ...permission,
      rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: empty1 }],
    },
  ])
  const sessionErc20TransferEqRule = await send('sessionErc20TransferEqRule', eq.dapp, [transfer(empty1)])
  await devnet.revert(start)
  return {
    ownerErc20Transfer,
    ownerErc20TransferSecond,
    ownerErc20TransferSecondToHolder,
    createSession,
    sessionErc20Transfer,
    sessionErc20TransferToHolder,
    sessionErc20TransferSecondUse,
    sessionErc20TransferSecondUseToHolder,
    sessionErc20TransferEqRule,
  }
}
