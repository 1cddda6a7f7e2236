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
  parseEther,
  parseUnits,
  serializeTransaction,
  size,
  type Transaction,
  toBytes,
} from 'viem'
import { entryPoint07Abi, type SmartAccount, toPackedUserOperation, type UserOperation } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'
import { sessionAccountFactoryAbi } from '../../src/abis.js'
import { type Devnet, mintTestToken, testTokenAbi } from '../../src/devnet/index.js'
import {
  defineSession,
  getGrantSessionCalls,
  handleUserOperation,
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
  return { gasUsed: outcome.transactionGasUsed, calldataBytes: size(transaction.input), l1Gas: l1GasOf(transaction) }
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

export type PublishedScenarioParameters = {
  devnet: Devnet
  token: Address
  /** A fixed private key for a label, so that addresses and calldata are the same on every run. */
  fixedKey: (label: string) => Hex
  /** The session's validity end (fixed, for the same reason). */
  sessionEnd: number
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

  const ownerErc20Transfer = await sendPublished(devnet, account, [transfer(empty1)], beneficiary)
  const ownerUsed = await devnet.snapshot()
  const ownerErc20TransferSecond = await sendPublished(devnet, account, [transfer(empty2)], beneficiary)
  await devnet.revert(ownerUsed)
  const ownerErc20TransferSecondToHolder = await sendPublished(devnet, account, [transfer(holder)], beneficiary)
  await backToFixture()

  const permission: PermissionInput = {
    whitelistDestination: token,
    whitelistMethods: ['transfer(address,uint256)'],
    tokenAmount: parseUnits('1000', 18),
  }
  // One key and salt for both sessions below (each granted from the same fixture): the session
  // operations are then byte for byte the same, and only the eq rule differs.
  const sessionKey = fixedKey('published session key')
  const sessionSalt = fixedKey('published session salt')
  const granted = async (permissions: readonly PermissionInput[]) => {
    const session = defineSession({
      account: account.address,
      chainId: devnet.chain.id,
      sessionKey: privateKeyToAccount(sessionKey).address,
      permissions,
      validity: { endTimestamp: sessionEnd },
      salt: sessionSalt,
    })
    const created = await sendPublished(devnet, account, await getGrantSessionCalls(client, { session }), beneficiary)
    return { created, dapp: await toSessionKeyAccount({ client, session, sessionKey }) }
  }

  const { created: createSession, dapp } = await granted([permission])
  const granted1 = await devnet.snapshot()
  const sessionErc20Transfer = await sendPublished(devnet, dapp, [transfer(empty1)], beneficiary)
  const used1 = await devnet.snapshot()
  const sessionErc20TransferSecondUse = await sendPublished(devnet, dapp, [transfer(empty2)], beneficiary)
  await devnet.revert(used1)
  const sessionErc20TransferSecondUseToHolder = await sendPublished(devnet, dapp, [transfer(holder)], beneficiary)
  await devnet.revert(granted1)
  const sessionErc20TransferToHolder = await sendPublished(devnet, dapp, [transfer(holder)], beneficiary)
  await backToFixture()

  const eq = await granted([
    {
      ...permission,
      rules: [{ method: 'transfer(address to, uint256 amount)', arg: 'to', condition: 'eq', value: empty1 }],
    },
  ])
  const sessionErc20TransferEqRule = await sendPublished(devnet, eq.dapp, [transfer(empty1)], beneficiary)
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
