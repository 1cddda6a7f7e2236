import {
  type Call,
  type Client,
  encodeAbiParameters,
  encodeFunctionData,
  getAbiItem,
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
 * installs it and creates the session in the same step. The session comes from the dapp:
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
  const installed =
    Boolean(await getCode(client, { address: session.account })) &&
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
  return [
    {
      to: session.account,
      data: encodeFunctionData({
        abi: accountCallsAbi,
        functionName: 'installModule',
        args: [MODULE_TYPE_VALIDATOR, session.module, initData],
      }),
    },
  ]
}
