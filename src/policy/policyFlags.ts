// Mirrors contracts/session/lib/PolicyFlags.sol (the bits the module packs), for the pre-flight check.

export const TARGET_TOKEN_SELECTORS = {
  '0xa9059cbb': 'transfer',
  '0x095ea7b3': 'approve',
  '0x23b872dd': 'transferFrom',
  '0x39509351': 'increaseAllowance',
} as const

export const CALLTYPE_SINGLE = 0x00
export const CALLTYPE_BATCH = 0x01
export const CALLTYPE_DELEGATECALL = 0xff
export const EXECTYPE_DEFAULT = 0x00
export const EXECTYPE_TRY = 0x01
