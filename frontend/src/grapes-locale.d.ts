// GrapesJS ships its translations as plain modules without types.
declare module "grapesjs/locale/fr.mjs" {
  const messages: Record<string, unknown>;
  export default messages;
}
