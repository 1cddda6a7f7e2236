/**
 * A devnet with a deployed account (module installed, no session yet), two tokens and a
 * target contract, plus helpers to grant sessions and send operations. Tests share one
 * fixture per file and go back to its snapshot before each test.
 */

import { type Address, type Call, encodeFunctionData, getAddress, type Hex, parseEther, parseUnits } from 'viem'
import { entryPoint07Abi, type SmartAccount, type UserOperation } from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { sessionAccountAbi } from '../../src/abis.js'
import {
  createDevnet,
  createEntryPointSubmitter,
  type Devnet,
  deployTestTarget,
  deployTestToken,
  handleUserOperation,
  mintTestToken,
  prepareUserOperation07,
  testTokenAbi,
} from '../../src/devnet/index.js'
import { testPaymasterAbi, testPaymasterBytecode } from '../../src/generated/testContracts.js'
import {
  defineSession,
  entryPointAddress,
  generateSessionKey,
  getGrantSessionCalls,
  getValidatorNonceKey,
  type PermissionInput,
  type Session,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  toOwnerAccount,
  toSessionKeyAccount,
  type UserOperationOutcome,
} from '../../src/index.js'

import { traceValidation } from './erc7562.js'

export const tusd = (amount: string | number) => parseUnits(String(amount), 18)

export type Fixture = Awaited<ReturnType<typeof createFixture>>

export type GrantOptions = {
  permissions?: readonly PermissionInput[]
  start?: number
  end?: number
  enable?: boolean
  paymasters?: readonly Address[]
  gasBudget?: bigint | 'unlimited'
}

export async function createFixture() {
  const devnet: Devnet = await createDevnet()
  const { client } = devnet
  const owner = privateKeyToAccount(generatePrivateKey())
  const ownerAccount = await toOwnerAccount({ client, owner })
  const account = ownerAccount.address
  await devnet.fund(account, parseEther('100'))
  const token = await deployTestToken(client, { name: 'Test USD', symbol: 'TUSD' })
  const otherToken = await deployTestToken(client, { name: 'Other', symbol: 'OTH' })
  const target = await deployTestTarget(client)
  // A paymaster that really sponsors, with 10 ETH deposited in the EntryPoint.
  const paymasterHash = await client.deployContract({
    abi: testPaymasterAbi,
    bytecode: testPaymasterBytecode,
    account: client.account,
    chain: client.chain,
  })
  const paymaster = getAddress(
    (await client.waitForTransactionReceipt({ hash: paymasterHash })).contractAddress as Address,
  )
  await client.waitForTransactionReceipt({
    hash: await client.writeContract({
      address: paymaster,
      abi: testPaymasterAbi,
      functionName: 'deposit',
      value: parseEther('10'),
      account: client.account,
      chain: client.chain,
    }),
  })
  for (const t of [token, otherToken]) await mintTestToken(client, { token: t, to: account, amount: tusd(1_000_000) })
  const recipient = privateKeyToAccount(generatePrivateKey()).address

  // Deploy the account and install the module with no session.
  await devnet.submitter.sendUserOperation({
    account: ownerAccount,
    calls: [
      {
        to: account,
        data: encodeFunctionData({
          abi: sessionAccountAbi,
          functionName: 'installModule',
          args: [1n, sessionKeyValidatorAddress, '0x'],
        }),
      },
    ],
  })

  // Every session-key operation is checked against ERC-7562 first when ERC7562_TRACE=1.
  const onBeforeSend = (userOperation: UserOperation<'0.7'>) =>
    traceValidation(client, client.account.address, userOperation)
  const direct = createEntryPointSubmitter({ client, preflight: false, onBeforeSend })
  const checked = createEntryPointSubmitter({ client, onBeforeSend })
  // Straight to the chain: these tests prove what the contract enforces, not what the SDK predicts.
  const send = (sender: SmartAccount, calls: readonly Call[]): Promise<UserOperationOutcome> =>
    direct.sendUserOperation({ account: sender, calls })
  // Through the SDK's pre-flight check first, as a dapp sends.
  const sendChecked = (sender: SmartAccount, calls: readonly Call[]): Promise<UserOperationOutcome> =>
    checked.sendUserOperation({ account: sender, calls })

  /** Defines a session on the fixture's account without granting it (same defaults as `grant`). */
  async function define(options: GrantOptions = {}) {
    const now = await devnet.now()
    const key = generateSessionKey()
    const session = defineSession({
      account,
      chainId: devnet.chain.id,
      sessionKey: key.address,
      permissions: options.permissions ?? [
        { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tusd(1000) },
      ],
      validity: {
        startTimestamp: options.start ?? now,
        endTimestamp: options.end ?? now + 3600,
        enable: options.enable,
      },
      paymasters: options.paymasters,
      gasBudget: options.gasBudget,
      now,
    })
    return { session, key }
  }

  /** Defines and grants a session (default: transfer on `token`, 1,000 TUSD in total, one hour). */
  async function grant(options: GrantOptions = {}) {
    const { session, key } = await define(options)
    await send(ownerAccount, await getGrantSessionCalls(client, { session }))
    const dapp = await toSessionKeyAccount({ client, session, sessionKey: key.privateKey })
    return { session, key, dapp }
  }

  /**
   * Sends a session-key operation with hand-made parts (calldata, paymaster, signature) to
   * exercise what the SDK would never build.
   */
  async function sendRaw(
    sender: SmartAccount & { session?: Session },
    parts: {
      callData: Hex
      paymasterAndData?: { paymaster: Address; data: Hex }
      signature?: (signed: Hex, userOperation: UserOperation<'0.7'>) => Hex | Promise<Hex>
    },
  ): Promise<UserOperationOutcome> {
    const userOperation = await prepareUserOperation07(client, { account: sender, callData: parts.callData })
    if (parts.paymasterAndData) {
      Object.assign(userOperation, {
        paymaster: parts.paymasterAndData.paymaster,
        paymasterData: parts.paymasterAndData.data,
        paymasterVerificationGasLimit: 100_000n,
        paymasterPostOpGasLimit: 0n,
      })
    }
    const signed = await sender.signUserOperation(userOperation)
    userOperation.signature = parts.signature ? await parts.signature(signed, userOperation) : signed
    await onBeforeSend(userOperation)
    return handleUserOperation(client, { userOperation, beneficiary: client.account.address, session: sender.session })
  }

  const transfer = (amount: bigint, to: Address = recipient, on: Address = token): Call => ({
    to: on,
    data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [to, amount] }),
  })

  const balanceOf = (who: Address, on: Address = token) =>
    client.readContract({ address: on, abi: testTokenAbi, functionName: 'balanceOf', args: [who] })

  const spent = async (session: Session, on: Address = token) => {
    const [, value] = await client.readContract({
      address: sessionKeyValidatorAddress,
      abi: sessionKeyValidatorAbi,
      functionName: 'getTokenLimit',
      args: [account, session.id, on],
    })
    return value
  }

  /** The EntryPoint nonce of the session's account on the module's nonce key. */
  const sessionNonce = (session: Session) =>
    client.readContract({
      address: entryPointAddress,
      abi: entryPoint07Abi,
      functionName: 'getNonce',
      args: [session.account, getValidatorNonceKey(session.module)],
    })

  // evm_revert consumes its snapshot, so each reset takes a new one.
  const state = { baseline: await devnet.snapshot() }
  async function reset(): Promise<void> {
    await devnet.revert(state.baseline)
    state.baseline = await devnet.snapshot()
  }
  /** Makes the chain as it is now the state every later `reset` returns to (a suite's own setup). */
  async function keepAsBaseline(): Promise<void> {
    state.baseline = await devnet.snapshot()
  }

  return {
    devnet,
    client,
    owner,
    ownerAccount,
    account,
    token,
    otherToken,
    target,
    paymaster,
    recipient,
    send,
    sendChecked,
    define,
    grant,
    sendRaw,
    transfer,
    balanceOf,
    spent,
    sessionNonce,
    reset,
    keepAsBaseline,
  }
}
