// The one Node API the runtime uses (AsyncLocalStorage, under the nodejs_compat flag), declared here so the project type-checks with the Workers types alone.

declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
