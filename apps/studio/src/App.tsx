import { useCallback, useEffect, useMemo, useState } from 'react';
import { type ApiError } from './api/api-error';
import { followEvents, type StreamState } from './api/event-stream';
import { StudioApi } from './api/studio-api';
import { type Model } from './api/types';
import { BatchPanel } from './components/BatchPanel';
import { ErrorNote } from './components/ErrorNote';
import { GeneratePanel } from './components/GeneratePanel';
import { ModelsPanel } from './components/ModelsPanel';
import { SignIn } from './components/SignIn';
import { TrainPanel } from './components/TrainPanel';
import { EventHub, EventsContext } from './events-context';
import { forgetApiKey, loadApiKey, saveApiKey } from './session';

const TABS = [
  { id: 'models', label: 'Models' },
  { id: 'train', label: 'Train' },
  { id: 'generate', label: 'Generate' },
  { id: 'batches', label: 'Batches' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  // Stable, so the studio's event stream is not reopened when this component renders again.
  const signOut = useCallback(() => {
    forgetApiKey();
    setApiKey(undefined);
  }, []);
  if (!apiKey)
    return (
      <SignIn
        onSignedIn={(key) => {
          saveApiKey(key);
          setApiKey(key);
        }}
      />
    );
  return <Studio apiKey={apiKey} onSignOut={signOut} />;
}

function Studio({ apiKey, onSignOut }: { apiKey: string; onSignOut: () => void }) {
  const api = useMemo(() => new StudioApi(apiKey), [apiKey]);
  const hub = useMemo(() => new EventHub(), []);
  const [tab, setTab] = useState<Tab>('models');
  const [models, setModels] = useState<Model[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [stream, setStream] = useState<StreamState>('connecting');
  const [selected, setSelected] = useState<string>();

  const refreshModels = useCallback(() => {
    api
      .listModels()
      .then((list) => {
        setModels(list);
        setLoaded(true);
        setError(undefined);
      })
      .catch((err: ApiError) => {
        if (err.status === 401) onSignOut();
        else setError(err);
      });
  }, [api, onSignOut]);

  useEffect(refreshModels, [refreshModels]);
  useEffect(
    () =>
      followEvents(
        api.http,
        (event) => {
          hub.emit(event);
          if (event.resource === 'model') refreshModels();
        },
        (state) => setStream(state),
      ),
    [api, hub, refreshModels],
  );
  // The first ready model is the natural choice until the user picks another.
  useEffect(() => {
    if (!selected) setSelected(models.find((m) => m.status === 'ready')?.id);
  }, [models, selected]);

  const pick = (id: string) => {
    setSelected(id);
    setTab('generate');
  };

  return (
    <EventsContext.Provider value={hub}>
      <header className="top">
        <div className="brand">
          <strong>dreamqueue</strong> studio
        </div>
        <span className={`stream stream-${stream}`} title="Live updates from /v1/events">
          {stream === 'live' ? 'live' : stream === 'stopped' ? 'offline' : 'connecting…'}
        </span>
        <button type="button" className="secondary sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav className="tabs" aria-label="Studio sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            className={tab === t.id ? 'tab tab-active' : 'tab'}
            aria-current={tab === t.id ? 'page' : undefined}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <main className="content">
        <ErrorNote error={error} />
        {/* Every panel stays mounted, so a training or a batch keeps its live view while another tab is open. */}
        <div hidden={tab !== 'models'}>
          <ModelsPanel
            api={api}
            models={models}
            loaded={loaded}
            selected={selected}
            onPick={pick}
            onTrain={() => setTab('train')}
            onChanged={refreshModels}
          />
        </div>
        <div hidden={tab !== 'train'}>
          <TrainPanel api={api} onUseModel={pick} />
        </div>
        <div hidden={tab !== 'generate'}>
          <GeneratePanel api={api} models={models} modelId={selected} onPickModel={setSelected} />
        </div>
        <div hidden={tab !== 'batches'}>
          <BatchPanel api={api} models={models} modelId={selected} onPickModel={setSelected} />
        </div>
      </main>
    </EventsContext.Provider>
  );
}
