package api

func (s *Server) simulationHookRoutes(mux *router) {}
