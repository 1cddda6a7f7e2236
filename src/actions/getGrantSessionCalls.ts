import {
  type Address,
  type Call,
  type Client,
  concat,
  encodeAbiParameters,
  encodeFunctionData,
  getAbiItem,
  type Hex,
  type ReadContractErrorType,
} from 'viem'
import { getCode, readContract } from 'viem/actions'
import type { InvalidParameterError } from '../errors/parameter.js'
import { ContractNotDeployedError, type UntrustedModuleError } from '../errors/session.js'
import { accountCallsAbi } from '../generated/accountCallsAbi.js'
import { validatorWritesAbi } from '../generated/validatorCallsAbi.js'
import type { Session } from '../policy/dataTypes.js'
import { assertSession, toSessionConfig } from '../session/encode.js'
import { assertNotRotated, assertSessionChain, assertTrustedModule, type ModuleTrustOptions } from '../session/trust.js'

/** Parameters of {@link getGrantSessionCalls}. */
export type GetGrantSessionCallsParameters = {
  /** The session to grant (from the dapp: hostile input, checked in full). */
  session: Session
} & ModuleTrustOptions

/** Return type of {@link getGrantSessionCalls}: the calls the owner's operation makes. */
export type GetGrantSessionCallsReturnType = Call[]

/** Errors of {@link getGrantSessionCalls}. */
export type GetGrantSessionCallsErrorType =
  | InvalidParameterError
  | UntrustedModuleError
  | ContractNotDeployedError
  | ReadContractErrorType

const MODULE_TYPE_VALIDATOR = 1n

/**
 * Wallet side. The owner's approval (step 4): the calls that create the session, to send in
 * one user operation signed by the owner. If the module is not installed yet, a single call
 * installs it and creates the session in the same step: ERC-7579's `installModule`, with the
 * install data in ZeroDev Kernel v3's own shape when the account says it is one (`accountId()`),
 * allowed to validate `execute`. The session comes from the dapp:
 * it must name the session-keys validator at its known address (see `assertTrustedModule`)
 * and pass every check of `assertSession`.
 *
 * @throws {UntrustedModuleError} when the session names another module.
 * @throws {ContractNotDeployedError} when the module is not deployed on the client's chain.
 * @param client A client on the session's chain.
 * @param parameters The session, and `allowUnknownModule` / `account` as for every wallet-side function.
 * @returns The calls to send in one owner-signed operation.
 * @example
 * import { getGrantSessionCalls } from 'session-keys'
 * const calls = await getGrantSessionCalls(client, { session })
 * await submitter.sendUserOperation({ account: ownerAccount, calls })
 */
export async function getGrantSessionCalls(
  client: Client,
  parameters: GetGrantSessionCallsParameters,
): Promise<GetGrantSessionCallsReturnType> {
  const session = assertSession(parameters?.session)
  assertTrustedModule(session, parameters)
  assertNotRotated(session)
  const chainId = await assertSessionChain(client, session)
  if (!(await getCode(client, { address: session.module }))) {
    throw new ContractNotDeployedError({ contract: 'SessionKeyValidator', address: session.module, chainId })
  }
  const config = toSessionConfig(session)
  const deployed = Boolean(await getCode(client, { address: session.account }))
  const installed =
    deployed &&
    (await readContract(client, {
      address: session.account,
      abi: accountCallsAbi,
      functionName: 'isModuleInstalled',
      args: [MODULE_TYPE_VALIDATOR, session.module, '0x'],
    }))
  if (installed) {
    return [
      {
        to: session.module,
        data: encodeFunctionData({ abi: validatorWritesAbi, functionName: 'createSession', args: [config] }),
      },
    ]
  }
  // onInstall(abi.encode(SessionConfig[])): install and create in one call.
  const [configParameter] = getAbiItem({ abi: validatorWritesAbi, name: 'createSession' }).inputs
  const initData = encodeAbiParameters([{ ...configParameter, type: 'tuple[]' }], [[config]])
  // An account not deployed yet has no accountId to read: the standard install.
  const kernel = deployed && (await accountIdOf(client, session.account)).startsWith('kernel.advanced.v0.3.')
  return [
    {
      to: session.account,
      data: encodeFunctionData({
        abi: accountCallsAbi,
        functionName: 'installModule',
        args: [MODULE_TYPE_VALIDATOR, session.module, kernel ? kernelInstallData(initData) : initData],
      }),
    },
  ]
}

/** The account's ERC-7579 `accountId()` (`vendor.account.semver`), or '' when it has none. */
const accountIdOf = (client: Client, account: Address) =>
  readContract(client, { address: account, abi: accountCallsAbi, functionName: 'accountId' }).catch(() => '')

/**
 * ZeroDev Kernel v3 takes a validator's install data in its own shape:
 * `hook ‖ abi.encode(validatorData, hookData, selectorData)`, here with no hook (address 1)
 * and the one selector the validator may validate, ERC-7579's `execute` (0xe9ae5c53).
 */
export const kernelInstallData = (validatorData: Hex): Hex =>
  concat([
    '0x0000000000000000000000000000000000000001',
    encodeAbiParameters([{ type: 'bytes' }, { type: 'bytes' }, { type: 'bytes' }], [validatorData, '0x', '0xe9ae5c53']),
  ])
