"""Money flows out: GraphML for Gephi and a CSV of payment claims with their evidence."""
