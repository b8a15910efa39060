namespace DmpActors.Kafka;
