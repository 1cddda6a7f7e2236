import {
  type Address,
  type Chain,
  type Client,
  encodeFunctionData,
  type Hex,
  type JsonRpcAccount,
  type LocalAccount,
  type Transport,
  toPrefixedMessage,
} from 'viem'
import { entryPoint07Abi, getUserOperationHash, type SmartAccount, toSmartAccount } from 'viem/account-abstraction'
import { getChainId, getCode, readContract } from 'viem/actions'
import { signTypedData as signTypedData7739 } from 'viem/experimental/erc7739'
import { entryPointAddress, sessionAccountFactoryAddress } from '../constants/addresses.js'
import { InvalidParameterError } from '../errors/parameter.js'
import { ContractNotDeployedError } from '../errors/session.js'
import { sessionAccountFactoryAbi } from '../generated/abis.js'
import { sessionAccountVerifierDomain } from '../session/grant.js'
import { parseAddress, parseBytes32 } from '../utils/parse.js'
import { decodeExecute, encodeExecute } from './execution.js'

/** A client the account reads the chain with. */
export type AccountClient = Client<Transport, Chain | undefined, JsonRpcAccount | LocalAccount | undefined>

/** Parameters of {@link toOwnerAccount}. */
export type ToOwnerAccountParameters = {
  /** A client connected to the chain. */
  client: AccountClient
  /** The owner's key (a viem local account). */
  owner: LocalAccount
  /** Distinguishes several accounts of one owner; 0 by default. */
  salt?: Hex | undefined
  /** The account factory; the canonical deployment by default. */
  factory?: Address | undefined
}

/** A stub signature of the right shape (low s) for gas estimation. */
const stubSignature =
  '0xfffffffffffffffffffffffffffffff0000000000000000000000000000000007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1c' as Hex

/**
 * The owner's view of a {@link SessionAccount}: a viem `SmartAccount` (EntryPoint v0.7)
 * whose user operations the owner signs (EIP-191 over the user operation hash). It
 * deploys the account on its first operation. Use it for the owner's approval step.
 * `signMessage` and `signTypedData` sign as the account (ERC-1271 through ERC-7739: nested
 * in the account's domain, so valid for this account only); it can be `signSessionGrant`'s owner.
 *
 * @example
 * import { privateKeyToAccount } from 'viem/accounts'
 * import { toOwnerAccount } from 'session-keys'
 * const account = await toOwnerAccount({ client, owner: privateKeyToAccount(ownerKey) })
 */
export async function toOwnerAccount(parameters: ToOwnerAccountParameters): Promise<SmartAccount> {
  const { client, owner } = parameters
  if (owner?.type !== 'local' || typeof owner.signMessage !== 'function') {
    throw new InvalidParameterError({
      field: 'owner',
      reason: 'not a viem local account',
      fix: 'pass privateKeyToAccount(key) or another LocalAccount',
    })
  }
  const salt = parseBytes32(parameters.salt ?? `0x${'00'.repeat(32)}`, 'salt')
  const factory = parseAddress(parameters.factory ?? sessionAccountFactoryAddress, 'factory')
  const chainId = client.chain?.id ?? (await getChainId(client))
  if (!(await getCode(client, { address: factory }))) {
    throw new ContractNotDeployedError({ contract: 'SessionAccountFactory', address: factory, chainId })
  }
  const address = await readContract(client, {
    address: factory,
    abi: sessionAccountFactoryAbi,
    functionName: 'getAddress',
    args: [owner.address, salt],
  })

  return toSmartAccount({
    client,
    entryPoint: { abi: entryPoint07Abi, address: entryPointAddress, version: '0.7' },
    extend: { owner: owner.address },
    async getAddress() {
      return address
    },
    async encodeCalls(calls) {
      return encodeExecute(address, calls, { direct: true })
    },
    async decodeCalls(data) {
      return decodeExecute(address, data)
    },
    async getFactoryArgs() {
      return {
        factory,
        factoryData: encodeFunctionData({
          abi: sessionAccountFactoryAbi,
          functionName: 'createAccount',
          args: [owner.address, salt],
        }),
      }
    },
    // Key 0: the owner path (no validator named in the nonce key), sequential nonces.
    async getNonce() {
      return readContract(client, {
        address: entryPointAddress,
        abi: entryPoint07Abi,
        functionName: 'getNonce',
        args: [address, 0n],
      })
    },
    async getStubSignature() {
      return stubSignature
    },
    async signUserOperation(userOperation) {
      const hash = getUserOperationHash({
        userOperation: { ...userOperation, sender: address },
        entryPointAddress,
        entryPointVersion: '0.7',
        chainId: userOperation.chainId ?? chainId,
      })
      return owner.signMessage({ message: { raw: hash } })
    },
    // ERC-1271 through ERC-7739: the owner signs the message nested in the account's domain,
    // so the signature is valid for this account only.
    async signMessage({ message }) {
      return owner.signTypedData({
        domain: { name: 'SessionAccount', version: '1', chainId, verifyingContract: address },
        types: { PersonalSign: [{ name: 'prefixed', type: 'bytes' }] },
        primaryType: 'PersonalSign',
        message: { prefixed: toPrefixedMessage(message) },
      })
    },
    // ERC-1271 through ERC-7739's TypedDataSign: the owner signs the typed data nested in the
    // account's domain (as the account's ERC-5267 domain gives it), valid for this account only.
    async signTypedData(typedData) {
      return signTypedData7739(client, {
        account: owner,
        ...typedData,
        verifierDomain: sessionAccountVerifierDomain({ chainId, account: address }),
      } as never)
    },
  })
}
