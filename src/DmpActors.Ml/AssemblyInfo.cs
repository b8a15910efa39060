namespace DmpActors.Ml;
