import {
  type Account,
  type Address,
  type Chain,
  type Client,
  concat,
  getContractAddress,
  type Hex,
  type Transport,
} from 'viem'
import { getCode, sendTransaction, waitForTransactionReceipt } from 'viem/actions'
import {
  create2DeployerAddress,
  deploySalt,
  entryPointAddress,
  sessionAccountFactoryAddress,
  sessionKeyValidatorAddress,
  sessionStoreLibAddress,
} from '../constants/addresses.js'
import { BaseError } from '../errors/base.js'
import { ContractNotDeployedError } from '../errors/session.js'
import {
  sessionAccountFactoryBytecode,
  sessionKeyValidatorBytecode,
  sessionStoreLibBytecode,
} from '../generated/bytecode.js'
import { entryPointBytecode } from '../generated/entryPoint.js'

/** The salt that, with the artifacts of @account-abstraction/contracts@0.7.0, gives the canonical EntryPoint v0.7. */
const entryPointSalt = '0x90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3' as Hex

/** Where each contract of the project lives (the same on every chain). */
export type Deployments = {
  entryPoint: Address
  /** The library the module reaches by DELEGATECALL to write sessions (linked at this address). */
  sessionStoreLib: Address
  sessionKeyValidator: Address
  sessionAccountFactory: Address
}

/** Return type of {@link deployContracts}. */
export type DeployContractsReturnType = Deployments & {
  /** Names of the contracts this call deployed (empty when all were there already). */
  deployed: string[]
}

/**
 * Deploys the EntryPoint v0.7 (if absent), the session-key module (its library first) and the account factory
 * through the deterministic CREATE2 deployer. Running it again deploys nothing.
 *
 * @example
 * import { deployContracts } from 'session-keys/devnet'
 * const { deployed } = await deployContracts(walletClient)
 */
export async function deployContracts(client: Client<Transport, Chain, Account>): Promise<DeployContractsReturnType> {
  if (!(await getCode(client, { address: create2DeployerAddress }))) {
    throw new ContractNotDeployedError({
      contract: 'The deterministic CREATE2 deployer',
      address: create2DeployerAddress,
      chainId: client.chain.id,
      hint: [
        'Every address here is derived from that deployer, so it must exist first.',
        'Most chains have it. Elsewhere, deploy it with its published pre-signed transaction',
        '(github.com/Arachnid/deterministic-deployment-proxy: fund its signer, then send the raw',
        'transaction); on a chain that refuses transactions without a chain id, ask the chain to add it.',
      ],
    })
  }
  const plan = [
    { name: 'EntryPoint v0.7', address: entryPointAddress, salt: entryPointSalt, bytecode: entryPointBytecode },
    // Before the module: its bytecode calls the library at this address.
    {
      name: 'SessionStoreLib',
      address: sessionStoreLibAddress,
      salt: deploySalt,
      bytecode: sessionStoreLibBytecode as Hex,
    },
    {
      name: 'SessionKeyValidator',
      address: sessionKeyValidatorAddress,
      salt: deploySalt,
      bytecode: sessionKeyValidatorBytecode as Hex,
    },
    {
      name: 'SessionAccountFactory',
      address: sessionAccountFactoryAddress,
      salt: deploySalt,
      bytecode: sessionAccountFactoryBytecode as Hex,
    },
  ]
  const deployed: string[] = []
  for (const item of plan) {
    const expected = getContractAddress({
      opcode: 'CREATE2',
      from: create2DeployerAddress,
      salt: item.salt,
      bytecode: item.bytecode,
    })
    if (expected !== item.address) {
      throw new BaseError(`${item.name} would deploy to ${expected}, not ${item.address}.`, {
        metaMessages: ['The compiled bytecode differs from the one the addresses were made from: run npm run compile.'],
      })
    }
    if (await getCode(client, { address: item.address })) continue
    const hash = await sendTransaction(client, {
      to: create2DeployerAddress,
      data: concat([item.salt, item.bytecode]),
      account: client.account,
      chain: client.chain,
    })
    const receipt = await waitForTransactionReceipt(client, { hash })
    if (receipt.status !== 'success' || !(await getCode(client, { address: item.address }))) {
      throw new BaseError(`Deploying ${item.name} to ${item.address} failed (transaction ${hash}).`)
    }
    deployed.push(item.name)
  }
  return {
    entryPoint: entryPointAddress,
    sessionStoreLib: sessionStoreLibAddress,
    sessionKeyValidator: sessionKeyValidatorAddress,
    sessionAccountFactory: sessionAccountFactoryAddress,
    deployed,
  }
}
