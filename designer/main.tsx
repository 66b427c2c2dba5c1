// First: starts the requests a deep link needs while the rest is evaluated.
import { api } from './early-requests.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadRoute } from './app.tsx';
import './styles.css';

// Before the first render: a deep link to a flow starts fetching the editor and the flow at once.
void preloadRoute(api);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>,
);
