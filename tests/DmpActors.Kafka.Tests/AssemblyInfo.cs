namespace DmpActors.Kafka.Tests;
