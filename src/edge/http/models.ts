import type { FastifyInstance } from 'fastify';
import { modelToWire } from '../../api/to-wire.js';
import type { ModelCatalog } from '../../services/models/model-catalog.js';

export async function modelsRoutes(app: FastifyInstance, opts: { models: ModelCatalog }): Promise<void> {
  app.get('/v1/models', async () => {
    const languages = opts.models.languages();
    return { models: opts.models.all().map((m) => modelToWire(m, languages, opts.models.translation)) };
  });
}
