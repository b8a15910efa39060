namespace DmpActors.Ml.Tests;
