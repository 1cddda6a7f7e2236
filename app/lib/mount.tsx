// Mounts a page's root component (both pages share the styles).
import { type ComponentType, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './styles.css'

export function mount(App: ComponentType): void {
  const root = document.getElementById('root')
  if (root) {
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    )
  }
}
