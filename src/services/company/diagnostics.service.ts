/**
 * Diagnostics for operators (not mounted in production): whether the database answers and which
 * secrets were generated for this run. Never a connection string, host, origin list or secret
 * (S10). test-registration checks a registration body without touching the database.
 */
import mongoose from 'mongoose';
import type { Config } from '../../config/env';
import type { Readiness } from '../health.service';
import type { TestRegistrationBody } from '../../validators/company/diagnostics.schemas';

const STATES: Record<number, string> = { 0: 'disconnected', 1: 'connected', 2: 'connecting', 3: 'disconnecting' };

const fields = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export function createDiagnosticsService(deps: { config: Config; readiness: Readiness }) {
  const { config, readiness } = deps;
  return {
    async status() {
      const { ready, checks } = await readiness.check();
      const pingSuccess = checks.database === 'up';
      const configured = (name: (typeof config.generatedSecrets)[number]) => !config.generatedSecrets.includes(name);
      const warnings: string[] = [];
      if (mongoose.connection.readyState !== 1) warnings.push('Database not connected');
      else if (!pingSuccess) warnings.push('Database ping failed');
      if (checks.shuttingDown) warnings.push('Shutting down');
      if (config.generatedSecrets.length > 0) warnings.push(`Secrets generated for this run: ${config.generatedSecrets.join(', ')}`);
      return {
        status: ready ? 'healthy' : 'unhealthy',
        timestamp: new Date().toISOString(),
        uptime: process.uptime(),
        environment: { nodeEnv: config.env, port: config.port },
        database: {
          status: STATES[mongoose.connection.readyState] ?? 'unknown',
          pingSuccess,
          error: pingSuccess ? null : 'Database ping failed',
          mode: config.mongodbUri ? 'external' : 'embedded',
        },
        environmentVariables: {
          MONGODB_URI: Boolean(config.mongodbUri),
          JWT_ACCESS_SECRET: configured('JWT_ACCESS_SECRET'),
          JWT_REFRESH_SECRET: configured('JWT_REFRESH_SECRET'),
          FRONTEND_URL: Boolean(config.frontendUrl),
        },
        warnings,
      };
    },

    /** The original's checks, in its order [COMPAT]; `receivedData` lists the keys sent, never values. */
    testRegistration(body: TestRegistrationBody) {
      const company = fields(body.company);
      const user = fields(body.user);
      const errors: string[] = [];
      if (!company) errors.push('company data is required');
      if (!user) errors.push('user data is required');
      if (company) {
        for (const key of ['name', 'email', 'timezone']) if (!company[key]) errors.push(`company.${key} is required`);
      }
      if (user) {
        if (!user.email) errors.push('user.email is required');
        if (!user.password) errors.push('user.password is required');
        if (!user.fullName && !(user.firstName && user.lastName)) errors.push('user.fullName or (firstName + lastName) is required');
      }
      return {
        valid: errors.length === 0,
        errors,
        receivedData: { company: Object.keys(company ?? {}), user: Object.keys(user ?? {}) },
      };
    },
  };
}

export type DiagnosticsService = ReturnType<typeof createDiagnosticsService>;
