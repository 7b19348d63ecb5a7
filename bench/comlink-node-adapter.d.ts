// comlink ships node-adapter.d.ts beside node-adapter.mjs, which TypeScript does not pair up; re-export it.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
