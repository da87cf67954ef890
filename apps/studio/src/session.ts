/**
 * The API key lives in sessionStorage only: it ends with the browser tab, is never written to a URL,
 * a cookie, localStorage or a log.
 */
const KEY = 'dreamqueue.apiKey';

export const loadApiKey = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;
export const saveApiKey = (key: string) => sessionStorage.setItem(KEY, key);
export const forgetApiKey = () => sessionStorage.removeItem(KEY);
