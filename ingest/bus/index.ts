// Picks the bus from explicit config: Kafka when KAFKA_BROKERS is set, the embedded bus otherwise,
// and says which in the log. A configured Kafka that cannot be reached is an error, never a silent
// fall back to the embedded bus (events would live in one process's memory without anyone knowing).
import type { EventBus } from '../../core/bus.ts';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { createEmbeddedBus } from './embedded.ts';
import { createKafkaBus } from './kafka.ts';

export const DEFAULT_PARTITIONS = 8;

export async function createBus(config: Pick<Config, 'kafka'>, logger: Logger): Promise<EventBus> {
  if (config.kafka) {
    const { brokers, clientId, topicPrefix } = config.kafka;
    logger.info('bus: kafka', { brokers, clientId, topicPrefix, partitions: DEFAULT_PARTITIONS });
    return createKafkaBus({ brokers, clientId, topicPrefix, partitions: DEFAULT_PARTITIONS, logger: logger.child({ component: 'bus' }) });
  }
  logger.info('bus: embedded (in-process; set KAFKA_BROKERS to use Kafka)', { partitions: DEFAULT_PARTITIONS });
  return createEmbeddedBus({ partitions: DEFAULT_PARTITIONS, logger: logger.child({ component: 'bus' }) });
}
