// Asking the wallet: open it in a pop-up, wait until it listens, send the request, wait for its answer.
import { acceptResponse, messageType, type PermissionMethod, type WalletResponse } from '../lib/protocol'

export class WalletClosedError extends Error {
  override name = 'WalletClosedError'
}

export async function askWallet(
  walletOrigin: string,
  method: PermissionMethod,
  params: unknown,
): Promise<WalletResponse> {
  const id = crypto.randomUUID()
  const popup = window.open(`${walletOrigin}/`, 'session-keys-wallet', 'popup,width=560,height=820')
  if (!popup) throw new Error('The browser blocked the wallet pop-up: allow pop-ups for this site, then connect again.')
  return new Promise<WalletResponse>((resolve, reject) => {
    const closed = setInterval(() => {
      if (popup.closed) finish(() => reject(new WalletClosedError('The wallet window was closed before it answered.')))
    }, 400)
    function finish(then: () => void) {
      clearInterval(closed)
      window.removeEventListener('message', onMessage)
      then()
    }
    function onMessage(event: MessageEvent) {
      // Only the pop-up we opened, at the wallet's origin.
      if (event.source !== popup || event.origin !== walletOrigin) return
      const data = event.data as { type?: unknown } | null
      if (data?.type === messageType.ready) {
        popup?.postMessage({ type: messageType.request, id, method, params }, walletOrigin)
        return
      }
      const response = acceptResponse(event, { popup, walletOrigin, id })
      if (response) finish(() => resolve(response))
    }
    window.addEventListener('message', onMessage)
  })
}
