/** Selectors of the ERC-20 functions whose amounts a session's token limit counts. */
export const TRANSFER = '0xa9059cbb'
export const APPROVE = '0x095ea7b3'
export const TRANSFER_FROM = '0x23b872dd'
export const INCREASE_ALLOWANCE = '0x39509351'

/** The signature of each token function, by selector (for messages and descriptions). */
export const tokenFunctionSignatures: Readonly<Record<string, string>> = {
  [TRANSFER]: 'transfer(address,uint256)',
  [APPROVE]: 'approve(address,uint256)',
  [TRANSFER_FROM]: 'transferFrom(address,address,uint256)',
  [INCREASE_ALLOWANCE]: 'increaseAllowance(address,uint256)',
}
