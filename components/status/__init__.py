"""What happened: status look-ups, insights and charts, failures explained, progress and History."""
