using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("DmpActors.Kafka.Tests")]

namespace DmpActors.Kafka;
