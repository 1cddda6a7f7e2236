/**
 * The module on ERC-7579 accounts other than this project's: ZeroDev Kernel v3.1, Biconomy
 * Nexus 1.0.0, the ERC-7579 reference implementation (MSA) and Safe 1.4.1 with Rhinestone's
 * Safe7579 adapter, deployed from the bytecode
 * @rhinestone/modulekit ships (see test/helpers/peerAccounts.ts), each driven with its own
 * nonce-key convention (`toSessionKeyAccount({ nonceKey })`). On each: a session is granted,
 * a transfer within its limit goes through (its whole validation traced and checked against
 * ERC-7562 first), and the chain refuses one over the limit and one off its methods, with
 * balances, the module's counter and the EntryPoint nonce read back; `listSessions` reads it
 * back. Off-chain grants: signed as the account (in its own ERC-1271 format) they create the
 * session at its first use; a bare key, or a signature the account does not confirm, is refused.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  type Address,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  hashTypedData,
  parseEther,
  parseUnits,
  toFunctionSelector,
} from 'viem'
import { entryPoint07Abi } from 'viem/account-abstraction'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  checkErc7562,
  createDevnet,
  createEntryPointSubmitter,
  type Devnet,
  deployTestToken,
  mintTestToken,
  testTokenAbi,
} from '../../src/devnet/index.js'
import {
  acceptAllValidatorAbi,
  acceptAllValidatorBytecode,
  ownerKeyValidatorAbi,
  ownerKeyValidatorBytecode,
} from '../../src/generated/testContracts.js'
import {
  accountCallsAbi,
  CallNotPermittedError,
  defineSession,
  entryPointAddress,
  generateSessionKey,
  getGrantSessionCalls,
  getSessionStatus,
  getValidatorNonceKey,
  InvalidParameterError,
  listSessions,
  type Session,
  type SessionGrant,
  type SessionGrantAccountSigner,
  SpendingLimitExceededError,
  sessionKeyValidatorAbi,
  sessionKeyValidatorAddress,
  signSessionGrant,
  toSessionConfig,
  toSessionKeyAccount,
  UserOperationRejectedError,
  verifySessionGrant,
} from '../../src/index.js'
import {
  asAccount,
  deployKernel,
  deployMsa,
  deployNexus,
  deploySafe7579,
  type PeerAccount,
} from '../helpers/peerAccounts.js'

// This suite's chain deploys modulekit's Kernel build, which is over EIP-170 (see the config).
process.env.HARDHAT_CONFIG = fileURLToPath(new URL('./hardhat.config.cjs', import.meta.url))

const recipient = '0x000000000000000000000000000000000000dEaD' as Address
const tokens = (n: number) => parseUnits(String(n), 18)

let devnet: Devnet
let token: Address
let acceptAll: Address
let ownerKeyValidator: Address
before(async () => {
  devnet = await createDevnet()
  token = await deployTestToken(devnet.client, { name: 'Test USD', symbol: 'TUSD' })
  acceptAll = await deploy(acceptAllValidatorAbi, acceptAllValidatorBytecode)
  ownerKeyValidator = await deploy(ownerKeyValidatorAbi, ownerKeyValidatorBytecode)
})

async function deploy(abi: readonly unknown[], bytecode: Hex): Promise<Address> {
  const hash = await devnet.client.deployContract({
    abi,
    bytecode,
    account: devnet.client.account,
    chain: devnet.client.chain,
  })
  const { contractAddress } = await devnet.client.waitForTransactionReceipt({ hash })
  if (!contractAddress) throw new Error('a test validator was not deployed')
  return contractAddress
}

/** Funds the account, defines a session (transfer on the token, 10 TUSD in total) and its key. */
async function define(peer: PeerAccount) {
  const { client } = devnet
  await devnet.fund(peer.address, parseEther('1'))
  await mintTestToken(client, { token, to: peer.address, amount: tokens(100) })
  const key = generateSessionKey()
  const now = await devnet.now()
  const session = defineSession({
    account: peer.address,
    chainId: devnet.chain.id,
    sessionKey: key.address,
    permissions: [
      { whitelistDestination: token, whitelistMethods: ['transfer(address,uint256)'], tokenAmount: tokens(10) },
    ],
    validity: { endTimestamp: now + 3600 },
    now,
  })
  return { session, key }
}

/** The owner's approval: the grant calls, made by the account itself (what its owner's operation executes). */
const approve = (peer: PeerAccount, calls: readonly { to: Address; data?: Hex | undefined }[]) =>
  asAccount(devnet.client, peer.address, calls)

const transfer = (amount: bigint) => ({
  to: token,
  data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [recipient, amount] }),
})

/** What a refusal must leave as it was. */
async function state(peer: PeerAccount, session: Session) {
  const { client } = devnet
  const balance = (who: Address) =>
    client.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [who] })
  const [, spent] = await client.readContract({
    address: sessionKeyValidatorAddress,
    abi: sessionKeyValidatorAbi,
    functionName: 'getTokenLimit',
    args: [peer.address, session.id, token],
  })
  const nonce = await client.readContract({
    address: entryPointAddress,
    abi: entryPoint07Abi,
    functionName: 'getNonce',
    args: [peer.address, getValidatorNonceKey(sessionKeyValidatorAddress, peer.nonceKey)],
  })
  return { account: await balance(peer.address), recipient: await balance(recipient), spent, nonce }
}

/**
 * Runs a granted session on `peer`: one transfer within the limit (carrying the off-chain
 * `grant`, when given, which creates the session), then the two refusals.
 */
async function runSession(peer: PeerAccount, session: Session, privateKey: Hex, grant?: SessionGrant) {
  const dapp = await toSessionKeyAccount({
    client: devnet.client,
    session,
    sessionKey: privateKey,
    nonceKey: peer.nonceKey,
    grant,
  })
  const before = await state(peer, session)
  // The whole validation, the account's code and the module's, is replayed with the node's
  // tracer and checked against ERC-7562 (unstaked sender and module) before it is sent.
  let traced = 0
  const tracedSubmitter = createEntryPointSubmitter({
    client: devnet.client,
    preflight: false,
    onBeforeSend: async (userOperation) => {
      const report = await checkErc7562(devnet.client, { userOperation, from: devnet.client.account.address })
      assert.deepEqual(report.violations, [], `ERC-7562 violations in the validation on ${peer.accountId}`)
      traced = report.steps
    },
  })
  const outcome = await tracedSubmitter.sendUserOperation({ account: dapp, calls: [transfer(tokens(4))] })
  assert.ok(traced > 1000, 'the validation was traced')
  assert.equal(outcome.success, true)
  const paid = await state(peer, session)
  assert.equal(paid.recipient - before.recipient, tokens(4))
  assert.equal(paid.spent, tokens(4))
  assert.equal(paid.nonce, before.nonce + 1n)

  // Over the limit (4 + 7 > 10): the chain refuses it, and nothing moves. The module's reason
  // reaches the dapp where the account passes its validator's revert on (Safe7579 does not:
  // it runs the validator through the Safe's module call, and the EntryPoint says only
  // "AA23 reverted" with the adapter's ExecutionFailed()).
  const refusedBy = (reason: (e: unknown) => boolean) => (e: unknown) =>
    peer.passesRevertsOn
      ? reason(e)
      : e instanceof UserOperationRejectedError && /^AA23 reverted/.test(e.reason) && executionFailed(e)
  await assert.rejects(
    devnet.submitterWithoutPreflight.sendUserOperation({ account: dapp, calls: [transfer(tokens(7))] }),
    refusedBy(
      (e) =>
        e instanceof SpendingLimitExceededError && e.index === 0 && e.spent === tokens(4) && e.limit === tokens(10),
    ),
  )
  assert.deepEqual(await state(peer, session), paid)
  // A method the session does not list.
  const approval = {
    to: token,
    data: encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [recipient, 1n] }),
  }
  await assert.rejects(
    devnet.submitterWithoutPreflight.sendUserOperation({ account: dapp, calls: [approval] }),
    refusedBy((e) => e instanceof CallNotPermittedError && e.rule === 'method' && e.index === 0),
  )
  assert.deepEqual(await state(peer, session), paid)
  // The pre-flight check says the same before anything is sent.
  await assert.rejects(
    devnet.submitter.sendUserOperation({ account: dapp, calls: [transfer(tokens(7))] }),
    SpendingLimitExceededError,
  )
  assert.deepEqual(await state(peer, session), paid)
}

/** `listSessions` finds the session, reads its terms back from the grant's calldata, and what it spent (4 TUSD). */
async function assertListed(peer: PeerAccount, session: Session) {
  const listed = await listSessions(devnet.client, { account: peer.address })
  assert.deepEqual(
    listed.map((s) => [s.id, s.status]),
    [[session.id, 'active']],
  )
  assert.ok(listed[0].session, 'terms read back')
  assert.deepEqual(toSessionConfig(listed[0].session), toSessionConfig(session))
  assert.equal(listed[0].usage?.targets[token]?.tokenSpent, tokens(4))
}

/** Whether the EntryPoint's revert (the deepest cause) names Safe7579's `ExecutionFailed()` as the account's reason. */
const executionFailed = (e: UserOperationRejectedError) =>
  e.walk().message.includes(toFunctionSelector('ExecutionFailed()').slice(2))

const isInstalled = (peer: PeerAccount) =>
  devnet.client.readContract({
    address: peer.address,
    abi: accountCallsAbi,
    functionName: 'isModuleInstalled',
    args: [1n, sessionKeyValidatorAddress, '0x'],
  })

const accounts: {
  name: string
  accountId: string
  /** What its ERC-5267 `eip712Domain()` names, if it has one. */
  domain: string | undefined
  withModule: () => Promise<PeerAccount>
}[] = [
  {
    name: 'ZeroDev Kernel v3.1',
    accountId: 'kernel.advanced.v0.3.1',
    domain: 'Kernel 0.3.1',
    // The module as a further validator beside a root one, as a Kernel wallet installs it.
    withModule: () => deployKernel(devnet.client, { root: acceptAll, module: sessionKeyValidatorAddress }),
  },
  {
    name: 'Biconomy Nexus 1.0.0',
    accountId: 'biconomy.nexus.1.0.0',
    domain: 'Nexus 1.0.1', // its EIP-712 version, as the bytecode has it
    withModule: () => deployNexus(devnet.client, { validator: sessionKeyValidatorAddress, data: '0x' }),
  },
  {
    name: 'the ERC-7579 reference implementation (MSA)',
    accountId: 'uMSA.advanced/withHook.v0.1',
    domain: undefined,
    withModule: () => deployMsa(devnet.client, { validator: sessionKeyValidatorAddress, data: '0x' }),
  },
  {
    name: "Safe 1.4.1 with Rhinestone's Safe7579 adapter",
    accountId: 'rhinestone.safe7579.v1.0.0',
    domain: undefined,
    withModule: () => deploySafe7579(devnet.client, { validator: sessionKeyValidatorAddress, data: '0x' }),
  },
]

for (const { name, accountId, domain, withModule } of accounts) {
  describe(`the module on ${name}`, () => {
    it('grants a session (createSession) and runs it; the chain refuses over the limit and off its methods', async () => {
      const peer = await withModule()
      assert.equal(peer.accountId, accountId)
      assert.equal(await isInstalled(peer), true)
      const { session, key } = await define(peer)
      const calls = await getGrantSessionCalls(devnet.client, { session })
      assert.deepEqual(
        calls.map((c) => c.to),
        [sessionKeyValidatorAddress],
        'installed already: one createSession call to the module',
      )
      await approve(peer, calls)
      assert.equal((await getSessionStatus(devnet.client, { session })).status, 'active')
      await runSession(peer, session, key.privateKey)
      await assertListed(peer, session)
    })

    it("refuses to sign an off-chain grant, which the account's own ERC-1271 format would refuse, before the owner signs", async () => {
      const peer = await withModule()
      const { session } = await define(peer)
      const key = privateKeyToAccount(generatePrivateKey())
      let asked = 0
      const signTypedData = ((typedData) => {
        asked++
        return key.signTypedData(typedData)
      }) as typeof key.signTypedData
      const owner = { ...key, signTypedData }
      await assert.rejects(
        signSessionGrant(devnet.client, { session, owner }),
        (e) =>
          e instanceof InvalidParameterError &&
          e.field === 'session.account' &&
          e.reason.includes(domain ? `its domain is ${domain}` : 'it has no ERC-5267 domain') &&
          /getGrantSessionCalls/.test(e.message),
      )
      assert.equal(asked, 0, 'the owner was not asked to sign')
      assert.equal((await getSessionStatus(devnet.client, { session })).status, 'not-found')
    })
  })
}

// Without the module: the grant installs it and creates the session at once, with the standard
// call (`installModule(1, module, data)`, `data` passed to `onInstall`), in Kernel's own shape on Kernel.
const standardInstall: { name: string; deploy: () => Promise<PeerAccount> }[] = [
  { name: 'ZeroDev Kernel v3.1', deploy: () => deployKernel(devnet.client, { root: acceptAll }) },
  { name: 'Biconomy Nexus 1.0.0', deploy: () => deployNexus(devnet.client, { validator: acceptAll, data: '0x' }) },
  {
    name: 'the ERC-7579 reference implementation (MSA)',
    deploy: () => deployMsa(devnet.client, { validator: acceptAll, data: '0x' }),
  },
  {
    name: "Safe 1.4.1 with Rhinestone's Safe7579 adapter",
    deploy: () => deploySafe7579(devnet.client, { validator: acceptAll, data: '0x' }),
  },
]

for (const { name, deploy } of standardInstall) {
  describe(`the grant on ${name} without the module`, () => {
    it('installs the module and creates the session in one call, then the session runs', async () => {
      const peer = await deploy()
      assert.equal(await isInstalled(peer), false)
      const { session, key } = await define(peer)
      const calls = await getGrantSessionCalls(devnet.client, { session })
      assert.deepEqual(
        calls.map((c) => c.to),
        [peer.address],
        'one installModule call on the account',
      )
      await approve(peer, calls)
      assert.equal(await isInstalled(peer), true)
      assert.equal((await getSessionStatus(devnet.client, { session })).status, 'active')
      await runSession(peer, session, key.privateKey)
      await assertListed(peer, session)
    })
  })
}

// Off-chain grants on another vendor's account: the wallet signs as the account (its
// smart-account object), in the account's own ERC-1271 format — `validator ‖ signature` on
// Nexus, the MSA and Safe7579; on Kernel, its root-validator byte and a signature of the hash
// wrapped in Kernel's EIP-712 domain — the owner's validator being an ECDSA one, and the
// account confirms it.
type OwnerKey = ReturnType<typeof privateKeyToAccount>
type TypedData = Parameters<OwnerKey['signTypedData']>[0]
const validatorPrefixed = (signer: OwnerKey) => async (typedData: TypedData) =>
  concat([ownerKeyValidator, await signer.signTypedData(typedData)])
const offchainAccounts: {
  name: string
  deploy: (validator: Address, data: Hex) => Promise<PeerAccount>
  /** How the owner key signs as the account. */
  signAs: (signer: OwnerKey, account: Address) => (typedData: TypedData) => Promise<Hex>
}[] = [
  {
    name: 'ZeroDev Kernel v3.1',
    deploy: (root, rootData) => deployKernel(devnet.client, { root, rootData }),
    signAs: (signer, account) => async (typedData) =>
      concat([
        '0x00', // the root validator
        await signer.signTypedData({
          domain: { name: 'Kernel', version: '0.3.1', chainId: devnet.chain.id, verifyingContract: account },
          types: { Kernel: [{ name: 'hash', type: 'bytes32' }] },
          primaryType: 'Kernel',
          message: { hash: hashTypedData(typedData) },
        }),
      ]),
  },
  {
    name: 'Biconomy Nexus 1.0.0',
    deploy: (validator, data) => deployNexus(devnet.client, { validator, data }),
    signAs: validatorPrefixed,
  },
  {
    name: 'the ERC-7579 reference implementation (MSA)',
    deploy: (validator, data) => deployMsa(devnet.client, { validator, data }),
    signAs: validatorPrefixed,
  },
  {
    name: "Safe 1.4.1 with Rhinestone's Safe7579 adapter",
    deploy: (validator, data) => deploySafe7579(devnet.client, { validator, data }),
    signAs: validatorPrefixed,
  },
]

for (const { name, deploy, signAs } of offchainAccounts) {
  describe(`off-chain grants on ${name}`, () => {
    /** The account, owned by a key through the ECDSA validator, with the module installed by a first session. */
    async function ownedAccount() {
      const ownerKey = privateKeyToAccount(generatePrivateKey())
      const peer = await deploy(ownerKeyValidator, encodeAbiParameters([{ type: 'address' }], [ownerKey.address]))
      const first = await define(peer)
      await approve(peer, await getGrantSessionCalls(devnet.client, { session: first.session }))
      const { session, key } = await define(peer)
      /** The wallet's account object, signing as the account. */
      const signingAs = (signer: OwnerKey): SessionGrantAccountSigner => ({
        type: 'smart',
        address: peer.address,
        signTypedData: signAs(signer, peer.address) as SessionGrantAccountSigner['signTypedData'],
      })
      return {
        peer,
        session,
        key,
        owner: signingAs(ownerKey),
        stranger: signingAs(privateKeyToAccount(generatePrivateKey())),
      }
    }

    it("the account signs the grant as itself; the dapp's first operation creates the session, and it runs", async () => {
      const { peer, session, key, owner } = await ownedAccount()
      const grant = await signSessionGrant(devnet.client, { session, owner })
      await verifySessionGrant(devnet.client, { session, grant })
      assert.equal((await getSessionStatus(devnet.client, { session })).status, 'not-found')
      await runSession(peer, session, key.privateKey, grant)
      assert.equal((await getSessionStatus(devnet.client, { session })).status, 'active')
      const listed = await listSessions(devnet.client, { account: peer.address })
      const found = listed.find((s) => s.id === session.id)
      assert.ok(found?.session, 'terms read back from the grant the operation carried')
      assert.deepEqual(toSessionConfig(found.session), toSessionConfig(session))
    })

    it('refuses to return a grant the account does not confirm (another key signed as it)', async () => {
      const { session, stranger } = await ownedAccount()
      await assert.rejects(
        signSessionGrant(devnet.client, { session, owner: stranger }),
        (e) => e instanceof InvalidParameterError && e.field === 'owner' && /did not confirm/.test(e.reason),
      )
      assert.equal((await getSessionStatus(devnet.client, { session })).status, 'not-found')
    })

    it('refuses an account object of another account', async () => {
      const { session, owner } = await ownedAccount()
      await assert.rejects(
        signSessionGrant(devnet.client, { session, owner: { ...owner, address: recipient } }),
        (e) => e instanceof InvalidParameterError && e.field === 'owner.address',
      )
    })
  })
}
