// Small components both pages use: an address with copy, a status chip, a notice.
import { type ReactNode, useState } from 'react'
import { shortAddress } from './format'

export function AddressText({ address, label }: { address: string; label?: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <span className="address">
      <code title={address}>{shortAddress(address)}</code>
      <button
        type="button"
        className="copy"
        aria-label={`Copy ${label ?? 'address'} ${address}`}
        onClick={() => {
          void navigator.clipboard?.writeText(address).then(
            () => setCopied(true),
            () => setCopied(false),
          )
          setTimeout(() => setCopied(false), 1500)
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  )
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted'

export function Chip({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`chip chip-${tone}`}>{children}</span>
}

export function Notice({ tone, title, children }: { tone: Tone; title: string; children?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'bad' || tone === 'warn' ? 'alert' : 'status'}>
      <strong>{title}</strong>
      {children ? <div className="notice-body">{children}</div> : null}
    </div>
  )
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status">
      <span className="spinner-dot" aria-hidden="true" />
      {label}
    </span>
  )
}
