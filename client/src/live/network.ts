/** Whether the browser is online, and when that changes. */
export interface NetworkStatus {
  online(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
}

export function browserNetwork(): NetworkStatus {
  if (typeof window === 'undefined') return { online: () => true, subscribe: () => () => undefined };
  return {
    online: () => navigator.onLine !== false,
    subscribe: (onChange) => {
      const on = () => onChange(true);
      const off = () => onChange(false);
      window.addEventListener('online', on);
      window.addEventListener('offline', off);
      return () => {
        window.removeEventListener('online', on);
        window.removeEventListener('offline', off);
      };
    },
  };
}
