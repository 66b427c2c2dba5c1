import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './api-client.ts';
import { App, preloadRoute } from './app.tsx';
import './styles.css';

const api = createApiClient();
// Before the first render: a deep link to a flow starts fetching the editor and the flow at once.
preloadRoute(api);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>,
);
