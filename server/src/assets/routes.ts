// Serves the widget bundle: the loader at /imbachat/v1/{dev_id}/widget and its hashed assets.
import { Hono } from 'hono';

export interface AssetDeps {
  /** Resolves to true when a widget with this dev_id exists. */
  widgetExists(devId: string): Promise<boolean>;
}

export function createAssetRoutes(_deps: AssetDeps): Hono {
  return new Hono();
}
